using Layered.Backing;
using Layered.Journal.Storage;
using Microsoft.Extensions.Logging;

namespace Layered.Journal;

/// <summary>
/// Opens an existing journal without trusting FasterLog's recovery, which swallows errors and comes back as an
/// empty log when its commit metadata is lost (fasterlog.md §10.1): the superblock, the commit slots and the
/// segment files are checked first, FasterLog's recovered addresses are compared with the commit slot, and the
/// last commit's region is scanned for a torn tail and the last sequence number.
/// </summary>
internal static class JournalOpener
{
    public static WriteAheadJournal Open(IBackingStore store, string directory, JournalOptions options, ILogger logger)
    {
        string superblockPath = BackingLogDevice.BackingPath(directory, Superblock.FileName);
        string commitPath = BackingLogDevice.BackingPath(directory, SlotCommitManager.FileName);
        var dirEntry = directory.Length == 0 ? null : store.TryGetEntry(directory);
        if (directory.Length != 0 && (dirEntry is null || dirEntry.Kind != BackingEntryKind.Directory))
            throw new JournalNotFoundException(directory, "No journal directory");
        var segments = BackingLogDevice.ExistingSegments(store, directory);
        bool hasCommitFile = store.TryGetEntry(commitPath) is not null;
        if (store.TryGetEntry(superblockPath) is null)
        {
            if (hasCommitFile || segments.Count > 0)
                throw new JournalCorruptException(superblockPath, -1, "the superblock is missing but journal files are present");
            throw new JournalNotFoundException(directory, "No journal (no superblock)");
        }

        var superblock = SuperblockFile.Open(store, directory, logger);
        IBackingFile? commitFile = null;
        bool started = false;
        try
        {
            var sb = superblock.Current;
            bool creationInterrupted = sb.Generation == 1 && segments.Count == 0;
            if (!hasCommitFile)
            {
                if (!creationInterrupted)
                    throw new JournalCorruptException(commitPath, -1, "the commit file is missing; without it the log's extent is unknown");
                commitFile = WriteAheadJournal.CreateCommitFile(store, directory);
            }
            else
            {
                commitFile = store.OpenFile(commitPath, BackingOpenMode.OpenReadWrite);
            }
            var buffer = new byte[CommitSlot.SlotSize];
            var slots = new List<CommitSlot>();
            int damaged = 0;
            for (int i = 0; i < 2; i++)
            {
                var slot = SlotCommitManager.ReadSlot(commitFile, i, sb.JournalId, buffer);
                if (slot is not null)
                    slots.Add(slot);
                else if (commitFile.Read((long)i * CommitSlot.SlotSize, buffer) < CommitSlot.SlotSize || !CommitSlot.IsBlank(buffer))
                    damaged++;
            }
            slots.Sort((a, b) => b.CommitNumber.CompareTo(a.CommitNumber));

            if (slots.Count == 0)
            {
                // Only a Create that crashed before its first commit leaves no commit point: nothing was ever in the log.
                if (damaged == 0 && creationInterrupted)
                {
                    logger.LogWarning("Journal in {Directory} was never committed (creation interrupted); opening it empty", directory);
                    started = true;
                    var fresh = WriteAheadJournal.Start(store, directory, options, logger, superblock, commitFile, recover: false,
                        durable: WriteAheadJournal.FirstLsn, lastSequence: 0, lastLsn: -1, tornTail: null);
                    fresh.Checkpoint(WriteAheadJournal.FirstLsn);
                    return fresh;
                }
                throw new JournalCorruptException(commitPath, -1, "no valid commit point (both slots damaged or blank)");
            }
            var newest = slots[0];
            if (damaged > 0)
                logger.LogWarning("Journal commit file {Path}: one slot is damaged (a torn commit write?); using commit {Number} up to {Until}",
                    commitPath, newest.CommitNumber, newest.UntilAddress);

            if (newest.UntilAddress < sb.MinCommittedUntil)
                throw new JournalCorruptException(commitPath, newest.UntilAddress,
                    $"the log was committed only up to {newest.UntilAddress}, but the superblock requires at least {sb.MinCommittedUntil}");
            if (newest.BeginAddress > sb.CheckpointLsn)
                throw new JournalCorruptException(commitPath, newest.BeginAddress,
                    $"the log begins at {newest.BeginAddress}, after the checkpoint {sb.CheckpointLsn} that replay must start from");
            CheckSegments(store, directory, sb, newest);

            started = true; // from here on Start, or the journal it returns, owns the superblock and commit file
            var journal = WriteAheadJournal.Start(store, directory, options, logger, superblock, commitFile, recover: true,
                durable: newest.UntilAddress, lastSequence: newest.LastSequence, lastLsn: -1, tornTail: null);
            try
            {
                var log = journal.Log;
                if (log.CommittedUntilAddress != newest.UntilAddress || log.BeginAddress != newest.BeginAddress)
                    throw new JournalCorruptException(commitPath, newest.UntilAddress,
                        $"FasterLog recovered begin {log.BeginAddress} / committed {log.CommittedUntilAddress}, but commit {newest.CommitNumber} says {newest.BeginAddress} / {newest.UntilAddress}");
                ScanTail(journal, sb, slots, damaged > 0, logger);
                return journal;
            }
            catch
            {
                journal.Dispose();
                throw;
            }
        }
        catch when (!started)
        {
            commitFile?.Dispose();
            superblock.Dispose();
            throw;
        }
    }

    /// <summary>Every segment between the begin address and the commit point must exist and be long enough;
    /// otherwise FasterLog would read the missing part as zeros, i.e. as an empty stretch of log.</summary>
    private static void CheckSegments(IBackingStore store, string directory, Superblock sb, CommitSlot commit)
    {
        if (commit.UntilAddress <= commit.BeginAddress)
            return;
        long segmentSize = 1L << sb.SegmentSizeBits;
        int first = (int)(commit.BeginAddress >> sb.SegmentSizeBits);
        int last = (int)((commit.UntilAddress - 1) >> sb.SegmentSizeBits);
        for (int segment = first; segment <= last; segment++)
        {
            string path = BackingLogDevice.SegmentPath(directory, segment);
            long segmentStart = (long)segment << sb.SegmentSizeBits;
            long needed = Math.Min(segmentSize, commit.UntilAddress - segmentStart) & ~511L;
            var entry = store.TryGetEntry(path);
            if (entry is null)
                throw new JournalCorruptException(path, Math.Max(segmentStart, commit.BeginAddress), "the log segment is missing");
            if (entry.Length < needed)
                throw new JournalCorruptException(path, segmentStart + entry.Length,
                    $"the log segment holds {entry.Length} bytes but the commit point needs {needed}");
        }
    }

    /// <summary>Scans the last commit's region: finds the last record and sequence number, and any torn tail.</summary>
    private static void ScanTail(WriteAheadJournal journal, Superblock sb, List<CommitSlot> slots, bool slotDamaged, ILogger logger)
    {
        var newest = slots[0];
        long until = newest.UntilAddress;
        long tailStart = journal.TailRegionStart(sb.CheckpointLsn, until);
        // A page start is always a valid place to start a scan; the checkpoint LSN is one too.
        long pageStart = tailStart >> sb.PageSizeBits << sb.PageSizeBits;
        long scanFrom = Math.Max(pageStart, sb.CheckpointLsn);
        var scanner = new LogScanner(journal.Log, scanFrom, until, tailStart, sb.PageSizeBits, journal.SegmentFileOf);
        while (scanner.MoveNext()) { }
        scanner.Dispose();
        if (scanner.LastLsn < 0 && scanner.TornTail is null && scanFrom > sb.CheckpointLsn)
        {
            // No record starts in the last page (the previous page ended exactly at the commit point): read the
            // whole replay region instead, so the last record and its sequence number are known.
            scanner = new LogScanner(journal.Log, sb.CheckpointLsn, until, tailStart, sb.PageSizeBits, journal.SegmentFileOf);
            while (scanner.MoveNext()) { }
            scanner.Dispose();
        }
        long lastSequence = scanner.LastSequence;
        long lastLsn = scanner.LastLsn;
        if (scanner.TornTail is { } torn)
        {
            logger.LogWarning("Journal tail damaged from LSN {Lsn} ({Bytes} bytes dropped): {Reason}", torn.FromLsn, torn.DroppedBytes, torn.Reason);
            journal.SetRecoveredState(Math.Max(lastSequence, newest.LastSequence), lastLsn, torn);
            return;
        }
        if (lastLsn < 0)
        {
            // No record after the checkpoint at all: continue after the checkpoint record's sequence number.
            lastSequence = Math.Max(sb.CheckpointSequence, newest.LastSequence);
        }
        if (newest.LastSequence >= 0 && lastLsn >= 0 && newest.LastSequence != lastSequence)
            throw new JournalCorruptException(journal.SegmentFileOf(lastLsn), lastLsn,
                $"the last record has sequence {lastSequence}, but the commit point recorded {newest.LastSequence}");
        TornTail? lostCommit = null;
        if (slotDamaged)
        {
            // The other slot held a newer commit or was being written when the system stopped: what it covered
            // past this commit point is not trusted. Reported like a torn tail, so nothing is lost silently.
            lostCommit = new TornTail(until, 0, lastSequence,
                $"a commit slot of '{journal.CommitFilePath}' is damaged; commits after LSN {until} (if any) are lost");
            logger.LogWarning("Journal: {Reason}", lostCommit.Reason);
        }
        journal.SetRecoveredState(lastSequence, lastLsn, lostCommit);
    }
}
