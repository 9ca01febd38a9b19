using FASTER.core;
using Microsoft.Extensions.Logging;

namespace Layered.Journal.Storage;

/// <summary>
/// FasterLog's commit manager: each commit point is a <see cref="CommitSlot"/> in the trailer of the segment that
/// holds it (the segment of the until address), so a commit is one durable operation: the slot is written next to
/// the data and one fdatasync of that segment makes both durable (segments written earlier in the same commit, when
/// it crossed a segment boundary, are fdatasynced first). The two slots of a trailer are written in turn
/// (ping-pong) and a commit moving to a new segment starts in its slot 0, so the newest durable commit point is
/// never overwritten and a torn slot write only loses the commit being written. Because data and trailer of one
/// commit are not ordered with respect to each other, the slot carries a CRC-32C of the data the commit wrote into
/// that segment; <see cref="JournalOpener"/> rejects a slot whose data does not match (an unacknowledged commit torn
/// by a power loss) and opens from the commit before it. Replaces FASTER's file-per-commit manager, which created a
/// file per commit without a directory fsync and let a lost or damaged file silently yield an empty log.
/// Commits are serialized (one lock over the whole commit), so when a slot is written the previous commit point and
/// its data are already durable.
/// </summary>
internal sealed class TrailerCommitManager : ILogCommitManager
{
    private readonly BackingLogDevice _device;
    private readonly ulong _journalId;
    private readonly int _segmentSizeBits;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly byte[] _slotBuffer = new byte[CommitSlot.SlotSize];
    private readonly byte[] _crcBuffer = new byte[64 * 1024];
    private readonly object _lock = new();
    private CommitSlot? _current;
    private int _currentIndex;
    private CommitSlot? _previous;

    /// <summary>Set by the journal: the sequence number of the last record below a given address (the journal
    /// seals commits under its append lock, so it knows it exactly).</summary>
    internal Func<long, long>? SequenceAt;

    /// <summary>Raised after a slot is durable, with the commit it holds.</summary>
    internal Action<CommitSlot>? Persisted;

    /// <param name="recovered">The commit point the opener chose (null for a new journal), in slot
    /// <paramref name="recoveredIndex"/> of its segment; <paramref name="previous"/> is the commit point before it.</param>
    public TrailerCommitManager(BackingLogDevice device, string directory, ulong journalId, int segmentSizeBits, ILogger logger,
        CommitSlot? recovered, int recoveredIndex, CommitSlot? previous)
    {
        _device = device;
        _directory = directory;
        _journalId = journalId;
        _segmentSizeBits = segmentSizeBits;
        _logger = logger;
        _current = recovered;
        _currentIndex = recoveredIndex;
        _previous = previous;
    }

    /// <summary>The newest durable commit point and the one before it, newest first.</summary>
    public IReadOnlyList<CommitSlot> ValidSlots
    {
        get
        {
            lock (_lock)
            {
                if (_current is null) return [];
                return _previous is null ? [_current] : [_current, _previous];
            }
        }
    }

    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        CommitSlot slot;
        lock (_lock)
        {
            int segment = (int)(untilAddress >> _segmentSizeBits);
            // Every log write this commit covers has completed (FasterLog orders it so). Data in earlier segments
            // must be durable before a trailer can point past it; data in the trailer's own segment goes with it.
            _device.FlushDirtySegmentsExcept(segment);
            _device.EnsureSegment(segment);
            long segmentStart = (long)segment << _segmentSizeBits;
            // FasterLog rewrote the last partial sector of the previous commit point: cover it too.
            long dataFrom = Math.Max(segmentStart, (_current?.UntilAddress ?? 0) & ~511L);
            uint dataCrc = _device.DataCrc(dataFrom, untilAddress, _crcBuffer);
            long sequence = SequenceAt?.Invoke(untilAddress) ?? 0;
            // Ping-pong within a segment; a new segment starts at slot 0 (its slots hold nothing newer).
            int target = _current is not null && _current.Segment == segment ? 1 - _currentIndex : 0;
            slot = new CommitSlot(_journalId, commitNum, beginAddress, untilAddress, sequence, segment, dataFrom, dataCrc, commitMetadata);
            slot.Encode(_slotBuffer);
            _device.WriteTrailerSlot(segment, target, _slotBuffer);
            _device.FlushSegment(segment);

            _previous = _current;
            _current = slot;
            _currentIndex = target;
        }
        Persisted?.Invoke(slot);
    }

    public byte[]? GetCommitMetadata(long commitNum)
    {
        lock (_lock)
        {
            if (_current is not null && _current.CommitNumber == commitNum)
                return _current.Metadata;
            if (_previous is not null && _previous.CommitNumber == commitNum)
                return _previous.Metadata;
        }
        _logger.LogWarning("FasterLog asked for commit {CommitNumber}, which the trailers of {Directory} do not hold", commitNum, _directory);
        return null;
    }

    // Only the commit point the opener checked is offered to FasterLog's recovery.
    public IEnumerable<long> ListCommits()
    {
        lock (_lock)
            return _current is null ? [] : [_current.CommitNumber];
    }

    // Slots are overwritten in turn and go with their segment when truncation deletes it; there is nothing to
    // delete here, and deleting the only copy of a commit point is exactly the failure this manager exists to avoid.
    public void RemoveCommit(long commitNum) { }

    public void RemoveAllCommits() { }

    public void OnRecovery(long commitNum) =>
        _logger.LogDebug("FasterLog recovered from commit {CommitNumber} in {Directory}", commitNum, _directory);

    public void Dispose() { }
}
