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
        long victim = _lsns[^1];
        Patch(SegmentOf(victim), OffsetOf(victim) + 12 + 16 + 2, b => b[0] ^= 0xff);
        using var journal = _folder.Open();

        Assert.NotNull(journal.PendingTornTail);
        Assert.Equal(victim, journal.PendingTornTail!.FromLsn);
        var replay = journal.ReadForReplay();
        var replayed = replay.ToList();
        Assert.Equal(victim, replay.TornTail!.FromLsn);
        Assert.True(replay.TornTail.DroppedBytes > 0);
        Assert.DoesNotContain(replayed, e => e.Lsn == victim);
        Assert.Contains(replayed, e => e.Lsn == _lsns[^2]);

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

    [Fact]
    public void ADeletedCommitFileIsRefused()
    {
        File.Delete(_folder.FilePath("commit"));

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Equal(StorePath("commit"), error.File);
        Assert.Contains("missing", error.Message);
        // Refusing did not touch anything: the segments are all still there.
        Assert.Equal(3, Directory.GetFiles(_folder.JournalPath, "log.*").Length);
    }

    [Fact]
    public void AnEmptiedCommitFileIsRefused()
    {
        File.WriteAllBytes(_folder.FilePath("commit"), []);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Equal(StorePath("commit"), error.File);
    }

    [Fact]
    public void BothCommitSlotsDamagedIsRefused()
    {
        Patch(_folder.FilePath("commit"), 32, b => b[0] ^= 1);
        Patch(_folder.FilePath("commit"), 4096 + 32, b => b[0] ^= 1);

        var error = Assert.Throws<JournalCorruptException>(() => _folder.Open());

        Assert.Equal(StorePath("commit"), error.File);
    }

    [Fact]
    public void ADamagedNewestCommitSlotIsReportedNotSilentlyDropped()
    {
        // Find the slot holding the newest commit (largest until) and damage its until address.
        var raw = File.ReadAllBytes(_folder.FilePath("commit"));
        int newest = BitConverter.ToInt64(raw, 32) > BitConverter.ToInt64(raw, 4096 + 32) ? 0 : 1;
        Patch(_folder.FilePath("commit"), newest * 4096 + 32, b => b[1] ^= 1);

        using var journal = _folder.Open();

        Assert.NotNull(journal.PendingTornTail);
        Assert.Contains("commit slot", journal.PendingTornTail!.Reason);
        var replay = journal.ReadForReplay();
        replay.ToList();
        Assert.NotNull(replay.TornTail);
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

        Assert.Equal(StorePath("commit"), error.File);
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
