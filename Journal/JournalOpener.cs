using Layered.Backing;
using Layered.Journal.Storage;
using Microsoft.Extensions.Logging;

namespace Layered.Journal;

/// <summary>
/// Opens an existing journal without trusting FasterLog's recovery, which swallows errors and comes back as an
/// empty log when its commit metadata is lost (fasterlog.md §10.1): the superblock, the segment files and their
/// commit trailers are checked first, the newest commit point whose data is intact is chosen, FasterLog's
/// recovered addresses are compared with it, and the last commit's region is scanned for a torn tail and the last
/// sequence number.
/// </summary>
internal static class JournalOpener
{
    /// <summary>A valid trailer slot found on disk, and where.</summary>
    private sealed record FoundSlot(CommitSlot Slot, int Index);

    /// <summary>A trailer slot that is neither blank nor valid.</summary>
    private readonly record struct DamagedSlot(int Segment, int Index);

    public static WriteAheadJournal Open(IBackingStore store, string directory, JournalOptions options, ILogger logger)
    {
        string superblockPath = BackingLogDevice.BackingPath(directory, Superblock.FileName);
        var dirEntry = directory.Length == 0 ? null : store.TryGetEntry(directory);
        if (directory.Length != 0 && (dirEntry is null || dirEntry.Kind != BackingEntryKind.Directory))
            throw new JournalNotFoundException(directory, "No journal directory");
        var segments = BackingLogDevice.ExistingSegments(store, directory);
        if (store.TryGetEntry(superblockPath) is null)
        {
            bool legacyCommitFile = store.TryGetEntry(BackingLogDevice.BackingPath(directory, WriteAheadJournal.LegacyCommitFileName)) is not null;
            if (legacyCommitFile || segments.Count > 0)
                throw new JournalCorruptException(superblockPath, -1, "the superblock is missing but journal files are present");
            throw new JournalNotFoundException(directory, "No journal (no superblock)");
        }

        var superblock = SuperblockFile.Open(store, directory, logger);
        bool started = false;
        try
        {
            var sb = superblock.Current;
            RemoveUnrecordedSegments(store, directory, sb, segments, logger);
            CheckSegmentFile(store, directory, sb, sb.HighestSegment, "the superblock records it as the newest segment");

            var (valid, damaged) = ReadTrailers(store, directory, sb, segments);
            var (chosen, rejected) = ChooseCommitPoint(store, directory, sb, valid, logger);
            bool neverCommitted = sb.MinCommittedUntil == WriteAheadJournal.FirstLsn && sb.CheckpointSequence == 0;
            if (chosen is null && !neverCommitted)
                throw new JournalCorruptException(BackingLogDevice.SegmentPath(directory, Math.Max(sb.HighestSegment, 0)), -1,
                    "no valid commit point in any segment trailer");

            // Slots newer than the chosen commit point (rejected) or damaged where a newer commit could have been are
            // erased, so that none of them can resurface as "newest" once new commits reuse their numbers.
            int chosenSegment = chosen?.Slot.Segment ?? int.MinValue;
            var lostSlots = damaged.Where(d => d.Segment >= chosenSegment).ToList();
            EraseSlots(store, directory, sb, rejected.Select(r => new DamagedSlot(r.Slot.Segment, r.Index)).Concat(lostSlots));

            if (chosen is null)
            {
                // Only a Create that stopped before its first checkpoint completed leaves no commit point: nothing in
                // the log was ever acknowledged.
                logger.LogWarning("Journal in {Directory} was never committed (creation interrupted); opening it empty", directory);
                started = true;
                var fresh = WriteAheadJournal.Start(store, directory, options, logger, superblock, recover: false,
                    durable: WriteAheadJournal.FirstLsn, lastSequence: 0, lastLsn: -1, tornTail: null, recovered: null);
                fresh.Checkpoint(WriteAheadJournal.FirstLsn);
                return fresh;
            }

            var newest = chosen.Slot;
            string newestPath = BackingLogDevice.SegmentPath(directory, newest.Segment);
            if (newest.UntilAddress < sb.MinCommittedUntil)
                throw new JournalCorruptException(newestPath, newest.UntilAddress,
                    $"the log was committed only up to {newest.UntilAddress}, but the superblock requires at least {sb.MinCommittedUntil}");
            if (newest.BeginAddress > sb.CheckpointLsn)
                throw new JournalCorruptException(newestPath, newest.BeginAddress,
                    $"the log begins at {newest.BeginAddress}, after the checkpoint {sb.CheckpointLsn} that replay must start from");
            for (int segment = (int)(newest.BeginAddress >> sb.SegmentSizeBits); segment <= sb.HighestSegment; segment++)
                CheckSegmentFile(store, directory, sb, segment, $"the log from LSN {newest.BeginAddress} needs it");

            var previous = valid.Where(v => v.Slot.CommitNumber < newest.CommitNumber)
                .OrderByDescending(v => v.Slot.CommitNumber).Select(v => v.Slot).FirstOrDefault();
            var reported = ReportedLoss(directory, newest, rejected, lostSlots, logger);

            started = true; // from here on Start, or the journal it returns, owns the superblock
            var journal = WriteAheadJournal.Start(store, directory, options, logger, superblock, recover: true,
                durable: newest.UntilAddress, lastSequence: newest.LastSequence, lastLsn: -1, tornTail: null,
                recovered: new WriteAheadJournal.RecoveredCommit(newest, chosen.Index, previous));
            try
            {
                var log = journal.Log;
                if (log.CommittedUntilAddress != newest.UntilAddress || log.BeginAddress != newest.BeginAddress)
                    throw new JournalCorruptException(newestPath, newest.UntilAddress,
                        $"FasterLog recovered begin {log.BeginAddress} / committed {log.CommittedUntilAddress}, but commit {newest.CommitNumber} says {newest.BeginAddress} / {newest.UntilAddress}");
                ScanTail(journal, sb, newest, reported, logger);
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
            superblock.Dispose();
            throw;
        }
    }

    /// <summary>A segment above the superblock's highest one was being preallocated when the process stopped: nothing
    /// was ever written into it (a segment is recorded before its first write), so it is removed.</summary>
    private static void RemoveUnrecordedSegments(IBackingStore store, string directory, Superblock sb, List<int> segments, ILogger logger)
    {
        bool removed = false;
        foreach (int segment in segments.Where(s => s > sb.HighestSegment).ToList())
        {
            string path = BackingLogDevice.SegmentPath(directory, segment);
            logger.LogWarning("Journal segment {Path} was never recorded in the superblock (creation interrupted); removing it", path);
            store.DeleteFile(path);
            segments.Remove(segment);
            removed = true;
        }
        if (removed)
            store.SyncDirectory(directory);
    }

    /// <summary>A segment the log needs must exist at its full preallocated length; otherwise FasterLog would read
    /// the missing part as zeros (an empty stretch of log), and a lost newest segment would silently roll the
    /// commit point back to the previous segment's trailer.</summary>
    private static void CheckSegmentFile(IBackingStore store, string directory, Superblock sb, int segment, string why)
    {
        if (segment < 0)
            return;
        string path = BackingLogDevice.SegmentPath(directory, segment);
        long segmentStart = (long)segment << sb.SegmentSizeBits;
        long expected = BackingLogDevice.SegmentFileLength(sb.SegmentSizeBits);
        var entry = store.TryGetEntry(path);
        if (entry is null)
            throw new JournalCorruptException(path, segmentStart, $"the log segment is missing ({why})");
        if (entry.Length != expected)
            throw new JournalCorruptException(path, segmentStart + Math.Min(entry.Length, 1L << sb.SegmentSizeBits),
                $"the log segment holds {entry.Length} bytes but every segment is preallocated to {expected}");
    }

    /// <summary>Every valid and every damaged trailer slot of the segments the superblock records.</summary>
    private static (List<FoundSlot> Valid, List<DamagedSlot> Damaged) ReadTrailers(IBackingStore store, string directory,
        Superblock sb, List<int> segments)
    {
        var valid = new List<FoundSlot>();
        var damaged = new List<DamagedSlot>();
        var buffer = new byte[CommitSlot.TrailerSize];
        foreach (int segment in segments.Where(s => s <= sb.HighestSegment).Order())
        {
            using var file = store.OpenFile(BackingLogDevice.SegmentPath(directory, segment), BackingOpenMode.OpenRead);
            int n = ReadFully(file, BackingLogDevice.TrailerOffset(sb.SegmentSizeBits), buffer);
            for (int index = 0; index < CommitSlot.SlotCount; index++)
            {
                var bytes = buffer.AsSpan(index * CommitSlot.SlotSize, CommitSlot.SlotSize);
                if (n < (index + 1) * CommitSlot.SlotSize)
                    continue; // a short segment is reported by CheckSegmentFile
                if (CommitSlot.TryDecode(bytes, sb.JournalId, segment) is { } slot)
                    valid.Add(new FoundSlot(slot, index));
                else if (!CommitSlot.IsBlank(bytes))
                    damaged.Add(new DamagedSlot(segment, index));
            }
        }
        return (valid, damaged);
    }

    private static int ReadFully(IBackingFile file, long offset, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = file.Read(offset + total, buffer[total..]);
            if (n <= 0)
                break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// The newest valid slot is the commit point if the data it covers matches its data CRC. Data and trailer of a
    /// commit reach the disk in one fdatasync, in no particular order, so after a power loss the newest slot can be
    /// intact while its data is not; that commit was never acknowledged (its fdatasync did not return), and the
    /// commit before it, durable before the slot was written, is used instead. Only the newest can be in that
    /// state: commits are serialized.
    /// </summary>
    private static (FoundSlot? Chosen, List<FoundSlot> Rejected) ChooseCommitPoint(IBackingStore store, string directory,
        Superblock sb, List<FoundSlot> valid, ILogger logger)
    {
        var ordered = valid.OrderByDescending(v => v.Slot.CommitNumber).ToList();
        var rejected = new List<FoundSlot>();
        if (ordered.Count == 0)
            return (null, rejected);
        var newest = ordered[0];
        if (DataMatches(store, directory, sb, newest.Slot))
            return (newest, rejected);
        logger.LogWarning("Journal commit {Number} in {Path} does not match the data it covers (a commit torn by a power loss); using the commit before it",
            newest.Slot.CommitNumber, BackingLogDevice.SegmentPath(directory, newest.Slot.Segment));
        rejected.Add(newest);
        return (ordered.Count > 1 ? ordered[1] : null, rejected);
    }

    private static bool DataMatches(IBackingStore store, string directory, Superblock sb, CommitSlot slot)
    {
        using var file = store.OpenFile(BackingLogDevice.SegmentPath(directory, slot.Segment), BackingOpenMode.OpenRead);
        uint crc = BackingLogDevice.ComputeDataCrc(file, slot.DataFrom, slot.UntilAddress, sb.SegmentSizeBits, new byte[64 * 1024]);
        return crc == slot.DataCrc;
    }

    /// <summary>Zeroes trailer slots and makes that durable.</summary>
    private static void EraseSlots(IBackingStore store, string directory, Superblock sb, IEnumerable<DamagedSlot> slots)
    {
        var zeros = new byte[CommitSlot.SlotSize];
        foreach (var group in slots.GroupBy(s => s.Segment))
        {
            using var file = store.OpenFile(BackingLogDevice.SegmentPath(directory, group.Key), BackingOpenMode.OpenReadWrite);
            foreach (var slot in group)
                file.Write(BackingLogDevice.TrailerOffset(sb.SegmentSizeBits) + (long)slot.Index * CommitSlot.SlotSize, zeros);
            file.FlushData();
        }
    }

    /// <summary>A commit that may have been lost (a rejected newest slot, or a damaged slot where a newer commit
    /// could have been) is reported like a torn tail, never silently dropped.</summary>
    private static TornTail? ReportedLoss(string directory, CommitSlot newest, List<FoundSlot> rejected, List<DamagedSlot> lostSlots,
        ILogger logger)
    {
        string? reason = null;
        if (rejected.Count > 0)
        {
            var torn = rejected[0].Slot;
            reason = $"commit {torn.CommitNumber} in '{BackingLogDevice.SegmentPath(directory, torn.Segment)}' (up to LSN {torn.UntilAddress}) "
                + "does not match the data it covers: a commit torn by a power loss, never acknowledged; records after LSN "
                + $"{newest.UntilAddress} are lost";
        }
        else if (lostSlots.Count > 0)
        {
            var slot = lostSlots[0];
            reason = $"a commit slot of '{BackingLogDevice.SegmentPath(directory, slot.Segment)}' is damaged; commits after LSN "
                + $"{newest.UntilAddress} (if any) are lost";
        }
        if (reason is null)
            return null;
        logger.LogWarning("Journal: {Reason}", reason);
        return new TornTail(newest.UntilAddress, 0, newest.LastSequence, reason);
    }

    /// <summary>Scans the last commit's region: finds the last record and sequence number, and any torn tail.</summary>
    private static void ScanTail(WriteAheadJournal journal, Superblock sb, CommitSlot newest, TornTail? reported, ILogger logger)
    {
        long until = newest.UntilAddress;
        long tailStart = journal.TailRegionStart(sb.CheckpointLsn, until);
        // A page start is always a valid place to start a scan; the checkpoint LSN is one too.
        long pageStart = tailStart >> sb.PageSizeBits << sb.PageSizeBits;
        long scanFrom = Math.Max(pageStart, sb.CheckpointLsn);
        var scanner = new LogScanner(journal.Log, scanFrom, until, tailStart, sb.PageSizeBits, journal.SegmentFileOf,
            newest.LastSequence);
        while (scanner.MoveNext()) { }
        scanner.Dispose();
        if (scanner.LastLsn < 0 && scanner.TornTail is null && scanFrom > sb.CheckpointLsn)
        {
            // No record starts in the last page (the previous page ended exactly at the commit point): read the
            // whole replay region instead, so the last record and its sequence number are known.
            scanner = new LogScanner(journal.Log, sb.CheckpointLsn, until, tailStart, sb.PageSizeBits, journal.SegmentFileOf,
                newest.LastSequence);
            while (scanner.MoveNext()) { }
            scanner.Dispose();
        }
        long lastSequence = scanner.LastSequence;
        long lastLsn = scanner.LastLsn;
        if (scanner.TornTail is { } torn)
        {
            if (reported is not null)
                torn = torn with { Reason = torn.Reason + "; " + reported.Reason };
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
        journal.SetRecoveredState(lastSequence, lastLsn, reported is null ? null : reported with { LastGoodSequence = lastSequence });
    }
}
