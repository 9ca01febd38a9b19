namespace Layered.Journal.Tests;

/// <summary>Damage to every journal file is detected with an error naming the file (and the LSN where there is
/// one); none of it silently yields an empty or shorter log.</summary>
[Trait("Area", "Journal")]
public sealed class JournalCorruptionTests : IDisposable
{
    private const int SegmentSizeBits = 17; // TempJournalFolder.SmallOptions
    private readonly TempJournalFolder _folder = new();
    private readonly List<long> _lsns = [];
    private long _firstBatchEnd;

    public JournalCorruptionTests()
    {
        // Two commits: ~300 KB (three 128 KiB segments), then a small second batch that forms the tail region.
        using var journal = _folder.Create();
        var payload = new byte[1000];
        for (int i = 0; i < 300; i++)
            _lsns.Add(journal.Append(new ChunkImageRecord((UInt128)i, "f", i, payload, i, i)));
        journal.Commit(_lsns[^1]);
        _firstBatchEnd = journal.DurableLsn;
        for (int i = 300; i < 303; i++)
            _lsns.Add(journal.Append(new SetSizeRecord((UInt128)i, "f", i, i)));
        journal.Commit(_lsns[^1]);
    }

    public void Dispose() => _folder.Dispose();

    private string SegmentOf(long lsn) => _folder.FilePath("log." + (lsn >> SegmentSizeBits));

    private static long OffsetOf(long lsn) => lsn & ((1L << SegmentSizeBits) - 1);

    private void Patch(string file, long offset, Action<byte[]> change)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var bytes = new byte[16];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        change(bytes);
        stream.Position = offset;
        stream.Write(bytes);
    }

    private static string StorePath(string name) => TempJournalFolder.JournalDirectory + "/" + name;

    [Fact]
    public void BitFlipInACommittedRecordStopsReplayNamingItsLsn()
    {
        long victim = _lsns[150];
        // 12 bytes of FasterLog entry header, then our 16-byte header, then the body.
        Patch(SegmentOf(victim), OffsetOf(victim) + 12 + 16 + 4, b => b[0] ^= 0x10);
        using var journal = _folder.Open();

        var error = Assert.Throws<JournalCorruptException>(() => journal.ReadForReplay().ToList());

        Assert.Equal(victim, error.Lsn);
        Assert.Equal(StorePath("log." + (victim >> SegmentSizeBits)), error.File);
    }

    [Fact]
    public void AZeroedEntryHeaderIsNotMistakenForPagePadding()
    {
        // FasterLog reads length 0 as "skip to the next page"; the records hidden that way must be noticed.
        long victim = _lsns[100];
        Patch(SegmentOf(victim), OffsetOf(victim), b => Array.Clear(b));
        using var journal = _folder.Open();

        var error = Assert.Throws<JournalCorruptException>(() => journal.ReadForReplay().ToList());

        Assert.Equal(victim, error.Lsn);
        Assert.Contains("skips", error.Message);
    }

    [Fact]
    public void DamageInTheLastCommitIsReportedAsATornTailAndNotReplayed()
    {
        // The newest commit's data no longer matches its trailer's CRC. Its intact-looking records cannot be told
        // from stale bytes of an earlier, uncommitted write, so the whole commit is dropped, and reported.
        long victim = _lsns[^1];
        Patch(SegmentOf(victim), OffsetOf(victim) + 12 + 16 + 2, b => b[0] ^= 0xff);
        using var journal = _folder.Open();

        Assert.NotNull(journal.PendingTornTail);
        Assert.Equal(_firstBatchEnd, journal.PendingTornTail!.FromLsn);
        var replay = journal.ReadForReplay();
        var replayed = replay.ToList();
        Assert.Equal(_firstBatchEnd, replay.TornTail!.FromLsn);
        Assert.Contains("does not match the data it covers", replay.TornTail.Reason);
        Assert.DoesNotContain(replayed, e => e.Lsn == victim || e.Lsn == _lsns[^2]);
        Assert.Contains(replayed, e => e.Lsn == _lsns[299]);

        // New records never follow damaged ones: appending waits for a checkpoint past the damage.
        Assert.Throws<InvalidOperationException>(() => journal.Append(new SetSizeRecord(1, "f", 1, 1)));
        journal.Checkpoint(journal.TailLsn);
        long next = journal.Append(new SetSizeRecord(1, "f", 999, 1));
        journal.Commit(next);
        journal.Dispose();

        using var reopened = _folder.Open();
        Assert.Null(reopened.PendingTornTail);
        Assert.Contains(reopened.ReadForReplay(), e => e.Record is SetSizeRecord { Eof: 999 });
    }

    [Fact]
    public void ATruncatedSegmentIsRefusedAtOpen()
    {
        string segment = SegmentOf(_lsns[^1]);
        using (var stream = new FileStream(segment, FileMode.Open))
            stream.SetLength(stream.Length / 2);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.EndsWith(Path.GetFileName(segment), error.File);
        Assert.Contains("holds", error.Message);
    }

    [Fact]
    public void AMissingMiddleSegmentIsRefusedAtOpen()
    {
        string segment = SegmentOf(_lsns[150]);
        Assert.NotEqual(segment, SegmentOf(_lsns[^1]));
        File.Delete(segment);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.EndsWith(Path.GetFileName(segment), error.File);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void AllSegmentsDeletedIsNotAnEmptyLog()
    {
        foreach (var file in Directory.GetFiles(_folder.JournalPath, "log.*"))
            File.Delete(file);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());
        Assert.Contains("log.", error.File);
    }

    private const int TrailerOffset = 1 << SegmentSizeBits;

    /// <summary>The newest valid trailer slot on disk: segment, slot index, commit number, until address.</summary>
    private (int Segment, int Index, long Number, long Until) NewestSlotOnDisk()
    {
        (int, int, long, long) best = (-1, -1, -1, -1);
        foreach (var path in Directory.GetFiles(_folder.JournalPath, "log.*"))
        {
            int segment = int.Parse(Path.GetFileName(path)["log.".Length..]);
            var raw = File.ReadAllBytes(path);
            for (int index = 0; index < 2; index++)
            {
                var bytes = raw.AsSpan(TrailerOffset + index * 4096, 4096);
                ulong id = BitConverter.ToUInt64(bytes[8..]);
                if (Storage.CommitSlot.TryDecode(bytes, id, segment) is { } slot && slot.CommitNumber > best.Item3)
                    best = (segment, index, slot.CommitNumber, slot.UntilAddress);
            }
        }
        Assert.True(best.Item1 >= 0, "no valid trailer slot on disk");
        return best;
    }

    private static string SegmentName(int segment) => "log." + segment;

    [Fact]
    public void SegmentsArePreallocatedToTheirFullLength()
    {
        // FasterLog's data, then the two 4 KiB trailer slots: written in place from creation on.
        foreach (var path in Directory.GetFiles(_folder.JournalPath, "log.*"))
            Assert.Equal((1L << SegmentSizeBits) + 8192, new FileInfo(path).Length);
    }

    [Fact]
    public void TheNewestSegmentFileRemovedIsRefusedNotRolledBack()
    {
        // The newest commit point lives in the newest segment's trailer; the previous segment's trailer holds an
        // older one. Losing the newest file must not silently open at that older commit point.
        var newest = NewestSlotOnDisk();
        File.Delete(_folder.FilePath(SegmentName(newest.Segment)));

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Equal(StorePath(SegmentName(newest.Segment)), error.File);
        Assert.Contains("missing", error.Message);
        Assert.Equal(newest.Segment, Directory.GetFiles(_folder.JournalPath, "log.*").Length);
    }

    [Fact]
    public void AllTrailerSlotsDamagedIsRefused()
    {
        foreach (var path in Directory.GetFiles(_folder.JournalPath, "log.*"))
            for (int index = 0; index < 2; index++)
                Patch(path, TrailerOffset + index * 4096 + 32, b => b[0] ^= 1);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Contains("no valid commit point", error.Message);
        Assert.Contains("log.", error.File);
    }

    [Fact]
    public void ADamagedNewestTrailerSlotIsReportedNotSilentlyDropped()
    {
        var newest = NewestSlotOnDisk();
        Patch(_folder.FilePath(SegmentName(newest.Segment)), TrailerOffset + newest.Index * 4096 + 32, b => b[1] ^= 1);

        using (var journal = _folder.Open())
        {
            Assert.NotNull(journal.PendingTornTail);
            Assert.Contains("commit slot", journal.PendingTornTail!.Reason);
            // The previous commit point (the first batch) is what is left, all of it.
            Assert.Equal(_firstBatchEnd, journal.DurableLsn);
            var replay = journal.ReadForReplay();
            Assert.Equal(_lsns.Take(300), replay.Skip(1).Select(e => e.Lsn));
            Assert.NotNull(replay.TornTail);
            journal.Checkpoint(journal.TailLsn);
        }
        // The damaged slot was erased at open and the checkpoint moved on: the next open is clean.
        using var reopened = _folder.Open();
        Assert.Null(reopened.PendingTornTail);
    }

    [Fact]
    public void ATrailerThatReachedTheDiskWithoutItsDataIsATornUnacknowledgedCommit()
    {
        // Power loss during commit 2: its trailer slot reached the disk, its data did not (one fdatasync orders
        // neither). Simulated by writing the second commit's trailer slot alone into the segment as it was after
        // the first commit, with its data left as zeros.
        var second = NewestSlotOnDisk();
        string segmentPath = _folder.FilePath(SegmentName(second.Segment));
        var afterSecond = File.ReadAllBytes(segmentPath);
        var afterFirst = (byte[])afterSecond.Clone();
        long segmentStart = (long)second.Segment << SegmentSizeBits;
        // Everything the second commit wrote lies from the first commit's last sector on.
        int firstSector = (int)((_firstBatchEnd - segmentStart) & ~511L);
        int firstEnd = (int)(_firstBatchEnd - segmentStart);
        Array.Clear(afterFirst, firstEnd, TrailerOffset - firstEnd);
        Assert.True(firstSector >= 0);
        File.WriteAllBytes(segmentPath, afterFirst); // the second commit's trailer is still in it

        using (var journal = _folder.Open())
        {
            Assert.NotNull(journal.PendingTornTail);
            Assert.Contains("torn by a power loss", journal.PendingTornTail!.Reason);
            Assert.Equal(_firstBatchEnd, journal.DurableLsn);
            var replayed = journal.ReadForReplay().ToList();
            Assert.Equal(_lsns.Take(300), replayed.Skip(1).Select(e => e.Lsn));
            // New records never follow a torn commit until a checkpoint moves past it.
            Assert.Throws<InvalidOperationException>(() => journal.Append(new SetSizeRecord(1, "f", 1, 1)));
            journal.Checkpoint(journal.TailLsn);
            journal.Commit(journal.Append(new SetSizeRecord(7, "after", 777, 7)));
        }
        using var reopened = _folder.Open();
        Assert.Null(reopened.PendingTornTail);
        var records = reopened.ReadForReplay().Select(e => e.Record).ToList();
        Assert.Contains(records, r => r is SetSizeRecord { Eof: 777 });
        Assert.DoesNotContain(records, r => r is SetSizeRecord { Eof: 300 or 301 or 302 });
    }

    [Fact]
    public void ATrailerWithOnlyPartOfItsDataIsRejectedToo()
    {
        // A third commit spanning several sectors: the first of them reached the disk, the last one did not.
        long before, until;
        using (var journal = _folder.Open())
        {
            before = journal.DurableLsn;
            long last = 0;
            for (int i = 0; i < 40; i++)
                last = journal.Append(new SetSizeRecord((UInt128)i, "third", 5000 + i, i));
            journal.Commit(last);
            until = journal.DurableLsn;
        }
        Assert.True(until - before > 1024);
        var third = NewestSlotOnDisk();
        Assert.Equal(until, third.Until);
        string segmentPath = _folder.FilePath(SegmentName(third.Segment));
        var bytes = File.ReadAllBytes(segmentPath);
        long segmentStart = (long)third.Segment << SegmentSizeBits;
        int lastSector = (int)((until - 1 - segmentStart) & ~511L);
        Array.Clear(bytes, lastSector, (int)(until - segmentStart) - lastSector);
        File.WriteAllBytes(segmentPath, bytes);

        using var reopened = _folder.Open();

        Assert.Contains("torn by a power loss", reopened.PendingTornTail!.Reason);
        Assert.Equal(before, reopened.DurableLsn);
        var records = reopened.ReadForReplay().Select(e => e.Record).ToList();
        Assert.Contains(records, r => r is SetSizeRecord { Eof: 302 });
        Assert.DoesNotContain(records, r => r is SetSizeRecord { Eof: >= 5000 });
    }

    private static void CopyDirectory(string from, string to)
    {
        if (Directory.Exists(to))
            Directory.Delete(to, recursive: true);
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Fact]
    public void StaleRecordsUnderATrailerWhoseDataWasLostAreNeverAccepted()
    {
        // Stale bytes an earlier process wrote past its commit point before it crashed are records with valid CRCs
        // and the very sequence numbers the next records get. If a later commit's trailer then reaches the disk
        // without its data, those stale records line up exactly under it (same sizes here); the trailer's data CRC
        // must reject them rather than replay them as the new records.
        string saved = _folder.JournalPath + ".saved";
        CopyDirectory(_folder.JournalPath, saved);
        long start;
        using (var journal = _folder.Open())
        {
            start = journal.DurableLsn;
            long last = 0;
            for (int i = 0; i < 20; i++)
                last = journal.Append(new SetSizeRecord((UInt128)i, "stale", 1000 + i, i));
            journal.Commit(last);
        }
        var newest = NewestSlotOnDisk();
        string segmentPath = _folder.FilePath(SegmentName(newest.Segment));
        var stale = File.ReadAllBytes(segmentPath);

        CopyDirectory(saved, _folder.JournalPath);
        using (var journal = _folder.Open())
        {
            long last = 0;
            for (int i = 0; i < 20; i++)
                last = journal.Append(new SetSizeRecord((UInt128)i, "fresh", 2000 + i, i));
            journal.Commit(last);
        }
        Assert.Equal(newest.Until, NewestSlotOnDisk().Until); // same sizes: the records line up
        var bytes = File.ReadAllBytes(segmentPath);
        long segmentStart = (long)newest.Segment << SegmentSizeBits;
        int from = (int)(start - segmentStart), to = (int)(newest.Until - segmentStart);
        Array.Copy(stale, from, bytes, from, to - from); // the fresh trailer over the stale data
        File.WriteAllBytes(segmentPath, bytes);

        using var reopened = _folder.Open();

        Assert.Contains("torn by a power loss", reopened.PendingTornTail!.Reason);
        Assert.Equal(start, reopened.DurableLsn);
        var records = reopened.ReadForReplay().Select(e => e.Record).ToList();
        Assert.DoesNotContain(records, r => r is SetSizeRecord { Eof: >= 1000 });
        Assert.Contains(records, r => r is SetSizeRecord { Eof: 302 });
    }

    [Fact]
    public void AnUnrecordedSegmentLeftByAnInterruptedCreationIsRemoved()
    {
        // A crash while preallocating the next segment leaves a short file the superblock does not know.
        var newest = NewestSlotOnDisk();
        string extra = _folder.FilePath(SegmentName(newest.Segment + 1));
        File.WriteAllBytes(extra, new byte[1000]);

        using var journal = _folder.Open();

        Assert.False(File.Exists(extra));
        Assert.Null(journal.PendingTornTail);
        Assert.Equal(_lsns, journal.ReadForReplay().Skip(1).Select(e => e.Lsn));
    }

    [Fact]
    public void AJournalOfTheOlderFormatIsRefusedNamingTheSuperblock()
    {
        // Format version 1 (commit file) is not read by this build: no migration, a clear refusal.
        foreach (int offset in new[] { 0, 512 })
            Patch(_folder.FilePath("superblock"), offset, b => BitConverter.GetBytes(1u).CopyTo(b, 4));

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Equal(StorePath("superblock"), error.File);
        Assert.Contains("format version 1", error.Message);
    }

    [Fact]
    public void ADamagedSuperblockIsRefused()
    {
        Patch(_folder.FilePath("superblock"), 24, b => b[0] ^= 1);
        Patch(_folder.FilePath("superblock"), 512 + 24, b => b[0] ^= 1);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Equal(StorePath("superblock"), error.File);
    }

    [Fact]
    public void AMissingSuperblockIsCorruptionNotAbsence()
    {
        File.Delete(_folder.FilePath("superblock"));

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Equal(StorePath("superblock"), error.File);
    }

    [Fact]
    public void AnOlderSuperblockThanTheLogIsRefused()
    {
        // After a checkpoint that truncated the log, damage the newest superblock slot: the older slot's
        // checkpoint lies before the log's begin, so replay from it is impossible and must not be attempted.
        using (var journal = _folder.Open())
            journal.Checkpoint(_lsns[^1]);
        var raw = File.ReadAllBytes(_folder.FilePath("superblock"));
        int newest = BitConverter.ToInt64(raw, 16) > BitConverter.ToInt64(raw, 512 + 16) ? 0 : 1;
        Patch(_folder.FilePath("superblock"), newest * 512 + 24, b => b[0] ^= 1);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.StartsWith(StorePath("log."), error.File);
        Assert.Contains("begins at", error.Message);
    }

    [Fact]
    public void TheIntactJournalOpensCleanly()
    {
        // The control case for the tests above: without damage everything replays.
        using var journal = _folder.Open();
        var replay = journal.ReadForReplay();

        Assert.Equal(_lsns, replay.Skip(1).Select(e => e.Lsn));
        Assert.Null(replay.TornTail);
        Assert.Null(journal.PendingTornTail);
        Assert.True(_firstBatchEnd < journal.DurableLsn);
    }
}
