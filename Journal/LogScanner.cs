using System.Collections;
using FASTER.core;
using Layered.Journal.Storage;

namespace Layered.Journal;

/// <summary>
/// Walks the committed log from a valid entry start to the commit point and checks what FasterLog does not:
/// each record's CRC-32C and encoding, dense sequence numbers, and that no bytes were skipped. FasterLog reads a
/// zero length as "padding, go to the next page", so a zeroed header silently hides the rest of its page
/// (fasterlog.md §10.7, §10.10); a jump is accepted only where an entry really did not fit in its page.
/// Damage at or after <c>tailStart</c> ends the walk as a <see cref="Journal.TornTail"/>; damage before it throws
/// <see cref="JournalCorruptException"/> naming the LSN and segment file.
/// </summary>
internal sealed unsafe class LogScanner : IEnumerator<JournalEntry>
{
    private readonly FasterLog _log;
    private readonly long _start;
    private readonly long _end;
    private readonly long _tailStart;
    private readonly int _pageSizeBits;
    private readonly Func<long, string> _fileOf;
    private readonly long _committedLastSequence;
    private FasterLogScanIterator? _iterator;
    private long _expectedNext;
    private long _lastSequence;
    private bool _done;

    /// <param name="committedLastSequence">The sequence number the commit at <paramref name="end"/> recorded as its
    /// last record's, or -1 when not known; it lets a commit point that ends after a page's padding be told from a
    /// zeroed header that hides records (see <see cref="EndsInPagePadding"/>).</param>
    public LogScanner(FasterLog log, long start, long end, long tailStart, int pageSizeBits, Func<long, string> fileOf,
        long committedLastSequence)
    {
        _committedLastSequence = committedLastSequence;
        _log = log;
        _start = start;
        _end = end;
        _tailStart = tailStart;
        _pageSizeBits = pageSizeBits;
        _fileOf = fileOf;
        _expectedNext = start;
    }

    public JournalEntry Current { get; private set; }
    object IEnumerator.Current => Current;

    /// <summary>Set when the walk ended at a damaged tail.</summary>
    public TornTail? TornTail { get; private set; }

    /// <summary>LSN of the last intact record seen, or -1.</summary>
    public long LastLsn { get; private set; } = -1;

    /// <summary>Sequence number of the last intact record seen, or 0.</summary>
    public long LastSequence => _lastSequence;

    public bool MoveNext()
    {
        if (_done)
            return false;
        if (_start >= _end)
            return Finish();
        _iterator ??= _log.Scan(_start, _end, scanBufferingMode: ScanBufferingMode.SinglePageBuffering);

        byte* entry;
        int length;
        long current, next;
        try
        {
            if (!_iterator.UnsafeGetNext(out entry, out length, out current, out next))
                return Finish();
        }
        catch (Exception e) when (e is not JournalCorruptException)
        {
            return Damaged(_expectedNext, $"FasterLog could not read the entry: {e.Message}");
        }

        JournalRecord record;
        long sequence;
        try
        {
            if (current != _expectedNext && !IsPagePadding(_expectedNext, current, length))
                return Damaged(_expectedNext, $"the log skips from {_expectedNext} to {current}: a zeroed or damaged entry header hides data");
            try
            {
                record = JournalRecordCodec.Decode(new ReadOnlySpan<byte>(entry, length), out sequence);
            }
            catch (JournalRecordFormatException e)
            {
                return Damaged(current, e.Message);
            }
        }
        finally
        {
            _iterator.UnsafeRelease();
        }

        if (_lastSequence != 0 && sequence != _lastSequence + 1)
            return Damaged(current, $"sequence number {sequence} follows {_lastSequence}: a record is missing or out of place");
        _lastSequence = sequence;
        LastLsn = current;
        _expectedNext = next;
        Current = new JournalEntry(current, sequence, record);
        return true;
    }

    /// <summary>True when the jump from <paramref name="expected"/> to <paramref name="actual"/> is FasterLog's
    /// end-of-page padding: the next page's first entry, which did not fit in the rest of the previous page.</summary>
    private bool IsPagePadding(long expected, long actual, int length)
    {
        long pageSize = 1L << _pageSizeBits;
        long pageOfExpected = expected >> _pageSizeBits;
        if (actual != (pageOfExpected + 1) << _pageSizeBits)
            return false;
        long needed = _log.HeaderSize + ((length + 3) & ~3L);
        return (expected & (pageSize - 1)) + needed > pageSize;
    }

    private bool Finish()
    {
        _done = true;
        if (_expectedNext < _end && !EndsInPagePadding())
            return Damaged(_expectedNext, $"the log ends at {_expectedNext} but was committed up to {_end}");
        return false;
    }

    /// <summary>True when the commit point is the start of the page after the last record and that record is the
    /// one the commit recorded as its last: the bytes in between are the padding FasterLog left when the next
    /// append did not fit in the page (a commit sealed while a page turned, as journals written before the
    /// commit driver sealed its watchdog's commits could have). Without the recorded sequence number a zeroed
    /// header could be hiding records there, so it stays damage.</summary>
    private bool EndsInPagePadding() =>
        LastLsn >= 0
        && _committedLastSequence >= 0
        && _lastSequence == _committedLastSequence
        && _end == ((_expectedNext >> _pageSizeBits) + 1) << _pageSizeBits;

    private bool Damaged(long lsn, string reason)
    {
        _done = true;
        if (lsn >= _tailStart)
        {
            TornTail = new TornTail(lsn, _end - lsn, _lastSequence, reason);
            return false;
        }
        throw new JournalCorruptException(_fileOf(lsn), lsn, reason);
    }

    public void Reset() => throw new NotSupportedException("a log scan runs once; call ReadForReplay again");

    public void Dispose()
    {
        _iterator?.Dispose();
        _iterator = null;
        _done = true;
    }
}

/// <summary>What <see cref="WriteAheadJournal.ReadForReplay"/> returns: the records after the last checkpoint in
/// LSN order, and, once enumerated, whether a damaged tail was dropped.</summary>
public sealed class JournalReplay : IEnumerable<JournalEntry>
{
    private readonly Func<LogScanner> _scan;
    private readonly TornTail? _knownAtOpen;

    internal JournalReplay(Func<LogScanner> scan, long fromLsn, long toLsn, TornTail? knownAtOpen)
    {
        _scan = scan;
        _knownAtOpen = knownAtOpen;
        FromLsn = fromLsn;
        ToLsn = toLsn;
    }

    /// <summary>The checkpoint LSN replay starts at.</summary>
    public long FromLsn { get; }

    /// <summary>The commit point replay ends at (exclusive).</summary>
    public long ToLsn { get; }

    /// <summary>After a complete enumeration: null, or the damaged tail that was dropped.</summary>
    public TornTail? TornTail { get; private set; }

    /// <summary>After a complete enumeration: how many records were replayed.</summary>
    public long RecordCount { get; private set; }

    public IEnumerator<JournalEntry> GetEnumerator()
    {
        using var scanner = _scan();
        long count = 0;
        while (scanner.MoveNext())
        {
            count++;
            yield return scanner.Current;
        }
        TornTail = scanner.TornTail ?? _knownAtOpen;
        RecordCount = count;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
