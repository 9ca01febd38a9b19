using FASTER.core;
using Layered.Backing;
using Layered.Journal.Storage;
using Microsoft.Extensions.Logging;

namespace Layered.Journal;

/// <summary>
/// The write-ahead redo journal: FasterLog over <see cref="IBackingStore"/> files, with our own record format
/// (CRC-32C, dense sequence numbers), commit manager (commit points in segment trailers) and superblock. The
/// FasterLog address of a record is its LSN; LSN order is the total order of metadata mutations and equals commit
/// order. Files in the journal directory: <c>superblock</c>, <c>log.&lt;n&gt;</c>. See docs/journal.md.
/// </summary>
public sealed class WriteAheadJournal : IDisposable, IAsyncDisposable
{
    /// <summary>FasterLog never hands out addresses below 64 (the start of page 0 is reserved).</summary>
    public const long FirstLsn = 64;

    private readonly IBackingStore _store;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly BackingLogDevice _device;
    private readonly TrailerCommitManager _commitManager;
    private readonly SuperblockFile _superblock;
    private readonly FasterLog _log;
    private readonly CommitDriver _driver;
    private readonly int _pageSizeBits;
    private readonly int _segmentSizeBits;
    private readonly int _maxRecordSize;
    private readonly object _appendLock = new();
    private readonly object _checkpointLock = new();
    private byte[] _encodeBuffer = new byte[4096];
    private long _lastSequence;
    private long _lastLsn;
    private TornTail? _tornTail;
    private int _disposed;

    private WriteAheadJournal(IBackingStore store, string directory, ILogger logger, BackingLogDevice device,
        TrailerCommitManager commitManager, SuperblockFile superblock, FasterLog log, JournalOptions options,
        long durable, long lastSequence, long lastLsn, TornTail? tornTail)
    {
        _store = store;
        _directory = directory;
        _logger = logger;
        _device = device;
        _commitManager = commitManager;
        _superblock = superblock;
        _log = log;
        _pageSizeBits = superblock.Current.PageSizeBits;
        _segmentSizeBits = superblock.Current.SegmentSizeBits;
        _maxRecordSize = JournalOptions.MaxRecordSizeFor(_pageSizeBits);
        _lastSequence = lastSequence;
        _lastLsn = lastLsn;
        _tornTail = tornTail;
        _driver = new CommitDriver(log, _appendLock, () => _lastSequence, durable, lastSequence, options, logger);
        _commitManager.SequenceAt = _driver.SequenceAt;
    }

    /// <summary>LSN of the last record appended (or recovered), or -1 when the log holds none.</summary>
    public long LastLsn => Volatile.Read(ref _lastLsn);

    /// <summary>Every record with an LSN below this is durable (an exclusive bound: a record is durable when its
    /// LSN is below it).</summary>
    public long DurableLsn => _driver.Durable;

    /// <summary>Replay starts here: the engine made every effect of records below it durable.</summary>
    public long CheckpointLsn => _superblock.Current.CheckpointLsn;

    /// <summary>Where the next record will go. A valid argument for <see cref="Checkpoint"/>.</summary>
    public long TailLsn => _log.TailAddress;

    /// <summary>The damaged tail found when the journal was opened, until a <see cref="Checkpoint"/> moves past
    /// it; appends are refused meanwhile, so new records never follow damaged ones.</summary>
    public TornTail? PendingTornTail => Volatile.Read(ref _tornTail);

    /// <summary>The largest encoded record the journal accepts (bounded by the page size).</summary>
    public int MaxRecordSize => _maxRecordSize;

    /// <summary>Creates a new, empty journal in <paramref name="directory"/> (created if missing). Fails when a
    /// journal, or any journal file, is already there.</summary>
    public static WriteAheadJournal Create(IBackingStore store, string directory, JournalOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        directory = NormalizeDirectory(directory);
        CreateDirectories(store, directory);
        foreach (var entry in store.ListDirectory(directory))
            if (entry.Name == Superblock.FileName || entry.Name == LegacyCommitFileName || entry.Name.StartsWith(BackingLogDevice.SegmentPrefix, StringComparison.Ordinal))
                throw new IOException($"A journal already exists (found '{entry.Name}'): '{BackingLogDevice.BackingPath(directory, entry.Name)}'");

        ulong journalId = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.NextInt64() << 1);
        var initial = new Superblock(journalId, 1, FirstLsn, FirstLsn, 0, options.PageSizeBits, options.SegmentSizeBits,
            HighestSegment: -1);
        // Superblock first (file and directory fsynced): Open recognises a creation interrupted before the first
        // checkpoint (minimum committed-until still FirstLsn, no valid commit point) and finishes it.
        var superblock = SuperblockFile.Create(store, directory, initial);
        var journal = Start(store, directory, options, logger, superblock, recover: false, durable: FirstLsn,
            lastSequence: 0, lastLsn: -1, tornTail: null, recovered: null);
        // The first checkpoint gives the journal a real commit point and raises the superblock's minimum
        // committed-until, so from now on a journal without a valid commit point always means damage.
        journal.Checkpoint(FirstLsn);
        logger.LogInformation("Created journal {Id:x16} in {Location}/{Directory}", journalId, store.Location, directory);
        return journal;
    }

    /// <summary>Opens an existing journal, recovering FasterLog and checking it against the superblock.</summary>
    /// <exception cref="JournalNotFoundException">No journal in <paramref name="directory"/>.</exception>
    /// <exception cref="JournalCorruptException">A file is missing, damaged or shorter than the superblock says.</exception>
    public static WriteAheadJournal Open(IBackingStore store, string directory, JournalOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        directory = NormalizeDirectory(directory);
        return JournalOpener.Open(store, directory, options, logger);
    }

    /// <summary>The commit file of format version 1, replaced by segment trailers; Create refuses a directory that
    /// still has one.</summary>
    internal const string LegacyCommitFileName = "commit";

    /// <summary>The commit point the opener chose: the slot, which slot of its segment holds it, and the commit
    /// point before it (for the tail region).</summary>
    internal readonly record struct RecoveredCommit(CommitSlot Slot, int SlotIndex, CommitSlot? Previous);

    internal static WriteAheadJournal Start(IBackingStore store, string directory, JournalOptions options, ILogger logger,
        SuperblockFile superblock, bool recover, long durable, long lastSequence, long lastLsn, TornTail? tornTail,
        RecoveredCommit? recovered)
    {
        var sb = superblock.Current;
        BackingLogDevice? device = null;
        FasterLog? log = null;
        try
        {
            // A segment is recorded in the superblock before anything is written into it, so a commit point can
            // never live in a segment the superblock does not require at open.
            device = new BackingLogDevice(store, directory, sb.SegmentSizeBits, logger, options.FaultHooks ?? new JournalFaultHooks(),
                segment => superblock.Update(current => current with { HighestSegment = Math.Max(current.HighestSegment, segment) }),
                options.SpareSegmentLimit);
            var manager = new TrailerCommitManager(device, directory, sb.JournalId, sb.SegmentSizeBits, logger,
                recovered?.Slot, recovered?.SlotIndex ?? 0, recovered?.Previous);
            var settings = new FasterLogSettings
            {
                LogDevice = device,
                LogCommitManager = manager,
                PageSizeBits = sb.PageSizeBits,
                SegmentSizeBits = sb.SegmentSizeBits,
                MemorySizeBits = Math.Max(options.MemorySizeBits, sb.PageSizeBits + 2),
                LogChecksum = LogChecksumType.PerEntry,
                AutoCommit = false,
                FastCommitMode = false,
                TryRecoverLatest = recover,
            };
            log = new FasterLog(settings, logger);
            return new WriteAheadJournal(store, directory, logger, device, manager, superblock, log, options,
                durable, lastSequence, lastLsn, tornTail);
        }
        catch
        {
            log?.Dispose();
            device?.Dispose();
            superblock.Dispose();
            throw;
        }
    }

    internal FasterLog Log => _log;

    internal CommitDriver Driver => _driver;

    internal TrailerCommitManager CommitManager => _commitManager;

    /// <summary>Set by the opener after it scanned the last commit's region.</summary>
    internal void SetRecoveredState(long lastSequence, long lastLsn, TornTail? tornTail)
    {
        lock (_appendLock)
        {
            _lastSequence = lastSequence;
            _lastLsn = lastLsn;
            _tornTail = tornTail;
        }
        _driver.SetSeal(_driver.Durable, lastSequence);
    }

    /// <summary>Encodes and appends <paramref name="record"/>; returns its LSN. Thread-safe; never waits for the
    /// disk (only, under extreme load, for room in the in-memory ring). Not durable until a commit covers it.</summary>
    public long Append(JournalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Volatile.Read(ref _tornTail) is { } torn)
            throw new InvalidOperationException(
                $"The journal has a damaged tail from LSN {torn.FromLsn}; replay, then Checkpoint(TailLsn) before appending");
        return AppendCore(record, out _);
    }

    private long AppendCore(JournalRecord record, out long sequence)
    {
        int length = JournalRecordCodec.GetEncodedLength(record);
        if (length > _maxRecordSize)
            throw new ArgumentException(
                $"A {record.GetType().Name} of {length} bytes exceeds the journal's maximum record size of {_maxRecordSize} bytes (page size {1L << _pageSizeBits})",
                nameof(record));
        ThrowIfUnusable();
        lock (_appendLock)
        {
            if (_encodeBuffer.Length < length)
                _encodeBuffer = new byte[Math.Max(length, _encodeBuffer.Length * 2)];
            sequence = _lastSequence + 1;
            int written = JournalRecordCodec.Encode(record, sequence, _encodeBuffer);
            long lsn = _log.Enqueue(new ReadOnlySpan<byte>(_encodeBuffer, 0, written));
            _lastSequence = sequence;
            Volatile.Write(ref _lastLsn, lsn);
            return lsn;
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_driver.Failure is { } failure)
            throw failure is JournalStallException stall
                ? new JournalStallException(stall.Lsn, stall.Waited, stall)
                : new IOException("The journal failed earlier; reopen it", failure);
    }

    /// <summary>Returns when the record at <paramref name="upToLsn"/> and everything before it is durable.
    /// Concurrent callers share one physical commit.</summary>
    /// <exception cref="JournalStallException">The commit did not finish within the watchdog timeout.</exception>
    public ValueTask CommitAsync(long upToLsn, CancellationToken ct = default)
    {
        long target = CommitTarget(upToLsn);
        if (_driver.Durable >= target && _driver.Failure is null)
            return ValueTask.CompletedTask;
        return _driver.WaitAsync(target, 0, ct);
    }

    /// <summary>Blocking form of <see cref="CommitAsync"/>, for host threads (FUSE, WinFsp). FasterLog completes
    /// commits through the .NET thread pool, so many thread-pool threads blocked here at once can starve it
    /// until the pool grows; code running on the pool should use <see cref="CommitAsync"/>.</summary>
    public void Commit(long upToLsn) => _driver.Wait(CommitTarget(upToLsn), 0);

    private long CommitTarget(long upToLsn)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // The record at upToLsn ends after upToLsn, so "durable" means the commit point passed it; never ask for
        // more than has been appended.
        return Math.Min(upToLsn + 1, _log.TailAddress);
    }

    /// <summary>
    /// The records after the last checkpoint, in LSN order, up to the commit point at the time of the call.
    /// Corruption before the last commit's region throws <see cref="JournalCorruptException"/> naming the LSN; a
    /// damaged tail is dropped and described by <see cref="JournalReplay.TornTail"/> after enumeration.
    /// </summary>
    public JournalReplay ReadForReplay()
    {
        ThrowIfUnusable();
        long from = CheckpointLsn;
        long to = _driver.Durable;
        long tailStart = TailRegionStart(from, to);
        long committedLastSequence = _driver.SequenceAt(to);
        return new JournalReplay(
            () => new LogScanner(_log, from, to, tailStart, _pageSizeBits, SegmentFileOf, committedLastSequence), from, to,
            Volatile.Read(ref _tornTail));
    }

    /// <summary>Where the region the last commit (re)wrote begins: FasterLog rewrites the last partial sector of
    /// the previous commit, so damage from there on can be a torn write rather than corruption.</summary>
    internal long TailRegionStart(long from, long to)
    {
        long previousUntil = to;
        foreach (var slot in _commitManager.ValidSlots)
            if (slot.UntilAddress < previousUntil)
            {
                previousUntil = slot.UntilAddress;
                break;
            }
        if (_tornTail is { } torn)
            previousUntil = Math.Min(previousUntil, torn.FromLsn);
        return Math.Max(from, previousUntil & ~511L);
    }

    internal string SegmentFileOf(long lsn) => BackingLogDevice.SegmentPath(_directory, (int)(lsn >> _segmentSizeBits));

    /// <summary>
    /// Records that the engine made every effect of records below <paramref name="upToLsn"/> durable: appends a
    /// <see cref="CheckpointRecord"/>, commits it, writes the superblock (fsync), then truncates the log before
    /// the checkpoint and commits that, which deletes the segment files wholly below it.
    /// <paramref name="upToLsn"/> must be an LSN returned by <see cref="Append"/> or a value of <see cref="TailLsn"/>.
    /// </summary>
    public void Checkpoint(long upToLsn)
    {
        lock (_checkpointLock)
        {
            ThrowIfUnusable();
            var current = _superblock.Current;
            long tail = _log.TailAddress;
            if (upToLsn < current.CheckpointLsn || upToLsn > tail)
                throw new ArgumentOutOfRangeException(nameof(upToLsn), upToLsn,
                    $"A checkpoint LSN must lie between the current checkpoint {current.CheckpointLsn} and the tail {tail}");
            if (_tornTail is { } torn && upToLsn < torn.FromLsn + torn.DroppedBytes)
                throw new ArgumentOutOfRangeException(nameof(upToLsn), upToLsn,
                    $"The checkpoint must move past the damaged tail ending at {torn.FromLsn + torn.DroppedBytes}; use TailLsn");

            long lsn = AppendCore(new CheckpointRecord(upToLsn), out long sequence);
            _driver.Wait(lsn + 1, 0);
            long minCommitted = Math.Max(_driver.Durable, lsn + 1);
            // Superblock first: if we crash before the truncation commit, the old begin address still satisfies it.
            _superblock.Update(sb => sb with
            {
                CheckpointLsn = upToLsn,
                MinCommittedUntil = minCommitted,
                CheckpointSequence = sequence,
            });
            Volatile.Write(ref _tornTail, null);
            long pageStart = upToLsn >> _pageSizeBits << _pageSizeBits;
            if (pageStart > _log.BeginAddress)
            {
                _log.TruncateUntilPageStart(upToLsn);
                _driver.Wait(0, pageStart);
                WaitForSegmentRemoval((int)(pageStart >> _segmentSizeBits));
            }
            _logger.LogDebug("Journal checkpoint at {Lsn} (record {RecordLsn}, sequence {Sequence}); log begins at {Begin}",
                upToLsn, lsn, sequence, _log.BeginAddress);
        }
    }

    /// <summary>FasterLog deletes the segments below a committed begin address from an epoch action, which can stay
    /// parked until some thread enters the epoch (the same trap as the commit stall). Entering it here, until the
    /// files are gone, makes the space free when <see cref="Checkpoint"/> returns. The removals the epoch action
    /// queued are done here too, so a thread pool busy with blocked threads cannot delay them.</summary>
    private void WaitForSegmentRemoval(int firstKeptSegment)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (BackingLogDevice.ExistingSegments(_store, _directory).Any(s => s < firstKeptSegment))
        {
            if (DateTime.UtcNow > deadline)
            {
                _logger.LogWarning("Journal segments below {Segment} in {Directory} are not removed yet; they go at the next truncation",
                    firstKeptSegment, _directory);
                return;
            }
            using (var nudge = _log.Scan(0, 0, scanBufferingMode: ScanBufferingMode.SinglePageBuffering))
                nudge.GetNext(out _, out _, out _);
            _device.DrainRemovals();
            if (BackingLogDevice.ExistingSegments(_store, _directory).Any(s => s < firstKeptSegment))
                Thread.Sleep(1);
        }
    }

    private static string NormalizeDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return directory.Trim('/');
    }

    private static void CreateDirectories(IBackingStore store, string directory)
    {
        if (directory.Length == 0)
            return;
        string parent = "";
        foreach (var part in directory.Split('/'))
        {
            string path = parent.Length == 0 ? part : parent + "/" + part;
            var entry = store.TryGetEntry(path);
            if (entry is null)
            {
                store.CreateDirectory(path);
                store.SyncDirectory(parent);
            }
            else if (entry.Kind != BackingEntryKind.Directory)
            {
                throw new IOException($"The journal directory path is not a directory: '{path}'");
            }
            parent = path;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Whatever was appended becomes durable on a clean close (FasterLog's own Dispose does not commit).
        if (_driver.Failure is null && _log.TailAddress > _driver.Durable)
        {
            try
            {
                _driver.Wait(_log.TailAddress, 0);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                _logger.LogWarning(e, "Journal in {Directory}: final commit on close failed", _directory);
            }
        }
        _driver.Dispose();
        _log.Dispose();
        _commitManager.Dispose();
        _device.Dispose();
        _superblock.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
