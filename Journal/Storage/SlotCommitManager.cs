using FASTER.core;
using Layered.Backing;
using Microsoft.Extensions.Logging;

namespace Layered.Journal.Storage;

/// <summary>
/// FasterLog's commit manager: a fixed file <c>&lt;directory&gt;/commit</c> with two <see cref="CommitSlot"/>s written
/// in turn (ping-pong), each with a CRC-32C and fsynced, so the newest commit point is never overwritten in place
/// and a torn write only loses the commit being written. Replaces FASTER's file-per-commit manager, which created
/// a file per commit without a directory fsync and let a lost or damaged file silently yield an empty log.
/// Before each slot write it makes the log segments durable (<see cref="BackingLogDevice.SyncForCommit"/>).
/// </summary>
internal sealed class SlotCommitManager : ILogCommitManager
{
    internal const string FileName = "commit";

    private readonly IBackingFile _file;
    private readonly BackingLogDevice _device;
    private readonly ulong _journalId;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly byte[] _slotBuffer = new byte[CommitSlot.SlotSize];
    private readonly CommitSlot?[] _slots = new CommitSlot?[2];
    private readonly object _lock = new();

    /// <summary>Set by the journal: the sequence number of the last record below a given address (the journal
    /// seals commits under its append lock, so it knows it exactly).</summary>
    internal Func<long, long>? SequenceAt;

    /// <summary>Raised after a slot is durable, with the commit's until address.</summary>
    internal Action<CommitSlot>? Persisted;

    public SlotCommitManager(IBackingFile file, string path, BackingLogDevice device, ulong journalId, ILogger logger)
    {
        _file = file;
        _path = path;
        _device = device;
        _journalId = journalId;
        _logger = logger;
        var raw = new byte[CommitSlot.SlotSize];
        for (int i = 0; i < 2; i++)
            _slots[i] = ReadSlot(file, i, journalId, raw);
    }

    /// <summary>Slot <paramref name="index"/> of a commit file, or null when empty or invalid.</summary>
    internal static CommitSlot? ReadSlot(IBackingFile file, int index, ulong journalId, byte[] buffer)
    {
        int n = file.Read((long)index * CommitSlot.SlotSize, buffer);
        if (n < CommitSlot.SlotSize)
            return null;
        return CommitSlot.TryDecode(buffer, journalId);
    }

    /// <summary>The valid slots, newest first.</summary>
    public IReadOnlyList<CommitSlot> ValidSlots
    {
        get
        {
            lock (_lock)
                return _slots.Where(s => s is not null).OrderByDescending(s => s!.CommitNumber).Select(s => s!).ToArray();
        }
    }

    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        // Every log write this commit covers has completed (FasterLog orders it so); make them durable first.
        _device.SyncForCommit();
        long sequence = SequenceAt?.Invoke(untilAddress) ?? 0;
        var slot = new CommitSlot(_journalId, commitNum, beginAddress, untilAddress, sequence, commitMetadata);
        lock (_lock)
        {
            // Overwrite the older slot (or an invalid one), never the newest valid commit.
            int target = _slots[0] is null ? 0 : _slots[1] is null ? 1 : _slots[0]!.CommitNumber <= _slots[1]!.CommitNumber ? 0 : 1;
            slot.Encode(_slotBuffer);
            _file.Write((long)target * CommitSlot.SlotSize, _slotBuffer);
            _file.FlushData(); // rewritten in place: fdatasync skips the time-only inode update fsync would pay

            _slots[target] = slot;
        }
        Persisted?.Invoke(slot);
    }

    public byte[]? GetCommitMetadata(long commitNum)
    {
        lock (_lock)
        {
            foreach (var slot in _slots)
                if (slot is not null && slot.CommitNumber == commitNum)
                    return slot.Metadata;
        }
        _logger.LogWarning("FasterLog asked for commit {CommitNumber}, which {Path} does not hold", commitNum, _path);
        return null;
    }

    public IEnumerable<long> ListCommits() => ValidSlots.Select(s => s.CommitNumber).ToArray();

    // Slots are overwritten in turn; there is nothing to delete, and deleting the only copy of a commit point
    // is exactly the failure this manager exists to avoid.
    public void RemoveCommit(long commitNum) { }

    public void RemoveAllCommits() { }

    public void OnRecovery(long commitNum) =>
        _logger.LogDebug("FasterLog recovered from commit {CommitNumber} of {Path}", commitNum, _path);

    public void Dispose() => _file.Dispose();
}
