using Layered.Backing;
using Layered.Fsd;

namespace Layered.Fsd.Tests;

/// <summary>
/// Writes that start on a chunk boundary beyond the valid data length are kept ahead of it (Fsd/Data/WrittenAhead.cs):
/// the pattern of writeback caching, where the kernel flushes one file in several requests at once and a later one
/// can reach the engine first. They must read back exactly, never turn the earlier request into journaled chunk
/// rewrites, and never let a crash show their size without their data.
/// </summary>
[Trait("Area", "Engine")]
public class WrittenAheadTests
{
    private const int Block = 64 << 10;

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void BlocksWrittenInReverseOrderBecomeValidWithoutRewritingAnyChunk(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var data = TestVolume.Pattern(16 * Block, 1);
        var h = t.Open("stream");
        long journalBefore = t.Volume.JournalBytesSinceCheckpoint;
        for (int i = 15; i >= 0; i--)
            t.Write(h, (long)i * Block, data.AsSpan(i * Block, Block));
        // Filling the gap below a block first would make every later block an overwrite of stored chunks, each
        // journaled as an image (about 1 MiB here); kept ahead, only size records are journaled.
        long journaled = t.Volume.JournalBytesSinceCheckpoint - journalBefore;
        Assert.True(journaled < 16 << 10, $"{journaled} bytes journaled for 16 blocks written in reverse order");
        Assert.Equal(data, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(data, t.ReadFile("stream"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AReadBeyondTheValidLengthSeesDataWrittenAheadAndZerosInTheGap(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var h = t.Open("f");
        var head = TestVolume.Pattern(1000, 2);
        var ahead = TestVolume.Pattern(5000, 3);
        t.Write(h, 0, head);
        t.Write(h, 12288, ahead);
        Assert.Equal(FsStatus.Success, t.Volume.GetInfo(h, out var info));
        Assert.Equal(12288 + 5000, info.EndOfFile);
        var expected = new byte[12288 + 5000];
        head.CopyTo(expected, 0);
        ahead.CopyTo(expected, 12288);
        Assert.Equal(expected, t.ReadAll(h));
        // A read of the gap alone, after the range was settled, and a write into the settled gap.
        var gap = new byte[4096];
        Assert.Equal(FsStatus.Success, t.Volume.Read(h, 4096, gap, out int n));
        Assert.Equal(4096, n);
        Assert.All(gap, b => Assert.Equal(0, b));
        var middle = TestVolume.Pattern(3000, 4);
        t.Write(h, 5000, middle);
        middle.CopyTo(expected, 5000);
        Assert.Equal(expected, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(expected, t.ReadFile("f"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AGapNeverFilledReadsAsZerosAfterCloseCheckpointAndRemount(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var h = t.Open("sparse");
        var tail = TestVolume.Pattern(4096, 5);
        t.Write(h, 1 << 20, tail);
        t.Volume.Release(h);
        // The node keeps its range after the last close; a checkpoint settles it before the header claims the size.
        t.Volume.FlushVolume();
        var expected = new byte[(1 << 20) + 4096];
        tail.CopyTo(expected, 1 << 20);
        Assert.Equal(expected, t.ReadFile("sparse"));
        t.Remount();
        Assert.Equal(expected, t.ReadFile("sparse"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void TruncateAndAppendSettleRangesWrittenAheadFirst(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var h = t.Open("t");
        var ahead = TestVolume.Pattern(8192, 6);
        t.Write(h, 8192, ahead);
        Assert.Equal(FsStatus.Success, t.Volume.SetFileSize(h, 10_000));
        var expected = new byte[10_000];
        ahead.AsSpan(0, 10_000 - 8192).CopyTo(expected.AsSpan(8192));
        Assert.Equal(expected, t.ReadAll(h));

        t.Write(h, 16384, ahead);
        var appended = TestVolume.Pattern(100, 7);
        Assert.Equal(FsStatus.Success, t.Volume.Write(h, 0, appended, WriteMode.Append, out int n, out long at));
        Assert.Equal(100, n);
        Assert.Equal(16384 + 8192, at);
        Array.Resize(ref expected, 16384 + 8192 + 100);
        ahead.CopyTo(expected, 16384);
        appended.CopyTo(expected, 16384 + 8192);
        Assert.Equal(expected, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(expected, t.ReadFile("t"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AWriteAcrossARangeWrittenAheadKeepsBothWrites(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var h = t.Open("x");
        var ahead = TestVolume.Pattern(8192, 8);
        var across = TestVolume.Pattern(6000, 9);
        t.Write(h, 8192, ahead);
        t.Write(h, 5000, across); // from the gap into the range
        var expected = new byte[16384];
        ahead.CopyTo(expected, 8192);
        across.CopyTo(expected, 5000);
        Assert.Equal(expected, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(expected, t.ReadFile("x"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void BlocksInRandomOrderBeyondTheRangeBoundStillReadBackExactly(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        const int blocks = 300; // more than one file keeps ahead at a time
        var data = TestVolume.Pattern(blocks * 4096, 10);
        var order = Enumerable.Range(0, blocks).ToArray();
        new Random(11).Shuffle(order);
        var h = t.Open("random");
        foreach (int i in order)
            t.Write(h, i * 4096L, data.AsSpan(i * 4096, 4096));
        Assert.Equal(data, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(data, t.ReadFile("random"));
    }

    [Fact]
    public void FsyncMakesDataWrittenAheadDurable()
    {
        using var t = new TestVolume(StoreKind.Memory);
        var h = t.Open("durable");
        var ahead = TestVolume.Pattern(4096, 12);
        t.Write(h, 8192, ahead);
        Assert.Equal(FsStatus.Success, t.Volume.Flush(h));
        var crashed = ((InMemoryBackingStore)t.Store).CloneDurableState();
        using var after = t.Mount(crashed);
        var expected = new byte[8192 + 4096];
        ahead.CopyTo(expected, 8192);
        Assert.Equal(expected, ReadWhole(after, "durable"));
        t.Volume.Release(h);
    }

    [Fact]
    public void APowerCutNeverShowsTheSizeOfAWriteAheadWithoutItsData()
    {
        using var t = new TestVolume(StoreKind.Memory);
        var h = t.Open("f");
        t.Write(h, 0, TestVolume.Pattern(100, 13));
        Assert.Equal(FsStatus.Success, t.Volume.Flush(h));
        t.Write(h, 8192, TestVolume.Pattern(4096, 14));
        // An overwrite below VDL (journaled with the file's size, so it settles the range first) and an fsync of
        // another file, which commits the journal: the range is in the state a crash shows whole, or not at all.
        t.Write(h, 10, TestVolume.Pattern(20, 15));
        var other = t.Open("g");
        t.Write(other, 0, TestVolume.Pattern(10, 16));
        Assert.Equal(FsStatus.Success, t.Volume.Flush(other));
        var crashed = ((InMemoryBackingStore)t.Store).CloneDurableState();
        using var after = t.Mount(crashed);
        var recovered = ReadWhole(after, "f");
        // Either the range became valid with its data, or the file is as it was before it.
        Assert.True(recovered.Length is 100 or 8192 + 4096, $"recovered size {recovered.Length}");
        if (recovered.Length > 100)
            Assert.Equal(TestVolume.Pattern(4096, 14), recovered[8192..]);
        t.Volume.Release(h);
        t.Volume.Release(other);
    }

    // The write from the valid length makes both ranges valid (a size record of 12,288) before its data is stored;
    // its store write fails, so that record is undone by another, which must not journal the size of the range
    // still kept ahead.
    [Fact]
    public void AWriteThatFilledTheGapAndFailedLeavesTheRangeAheadWaitingAndAPowerCutLosesItWhole() =>
        AfterAFailedStepAPowerCutShowsTheRangeAheadWholeOrNotAtAll(
            (t, h) => t.Volume.Write(h, 4096, TestVolume.Pattern(4096, 23), WriteMode.AtOffset, out _, out _));

    // fsync settles the range: a size record of 12,288, then zeros for the gap, whose store write fails; the record
    // that undoes it must not journal the size of the range still kept ahead.
    [Fact]
    public void ASettleWhoseZerosCouldNotBeStoredKeepsTheRangeAheadAndAPowerCutLosesItWhole() =>
        AfterAFailedStepAPowerCutShowsTheRangeAheadWholeOrNotAtAll((t, h) => t.Volume.Flush(h));

    /// <summary>
    /// A file with one valid chunk and one kept ahead at 8,192 (VDL 4,096); <paramref name="failingStep"/> runs with
    /// the next store write to the file failing and must report the I/O error. Then another file's fsync commits
    /// the journal and a power cut must show the range whole or not at all, while the mount itself still has it
    /// kept ahead: an fsync settles it for good, zeros in the gap.
    /// </summary>
    private static void AfterAFailedStepAPowerCutShowsTheRangeAheadWholeOrNotAtAll(Func<TestVolume, FileHandle, FsStatus> failingStep)
    {
        var store = new InterceptingStore(new InMemoryBackingStore());
        using var t = new TestVolume(StoreKind.Memory, store: store);
        var h = t.Open("f");
        var valid = TestVolume.Pattern(4096, 21);
        var ahead = TestVolume.Pattern(4096, 22);
        t.Write(h, 0, valid);
        Assert.Equal(FsStatus.Success, t.Volume.Flush(h));
        t.Write(h, 8192, ahead);
        store.FailNextWriteTo("f");
        Assert.Equal(FsStatus.IoError, failingStep(t, h));
        Assert.True(store.Intercepted);
        var other = t.Open("g");
        t.Write(other, 0, TestVolume.Pattern(10, 24));
        Assert.Equal(FsStatus.Success, t.Volume.Flush(other)); // commits the journal, the records of f included

        using (var after = t.Mount(store.Inner.CloneDurableState()))
        {
            var recovered = ReadWhole(after, "f");
            Assert.True(recovered.Length is 4096 or 3 * 4096, $"recovered size {recovered.Length}");
            Assert.Equal(valid, recovered[..4096]);
            if (recovered.Length > 4096)
                Assert.Equal(ahead, recovered[8192..]);
        }

        Assert.Equal(FsStatus.Success, t.Volume.Flush(h));
        var expected = new byte[3 * 4096];
        valid.CopyTo(expected, 0);
        ahead.CopyTo(expected, 8192);
        Assert.Equal(expected, t.ReadAll(h));
        t.Volume.Release(h);
        t.Volume.Release(other);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public async Task ConcurrentBlockWritersAndReadersNeverSeeTornOrForeignData(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        const int blocks = 64, size = 16 << 10;
        var data = TestVolume.Pattern(blocks * size, 17);
        var h = t.Open("concurrent");
        int next = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // Four writers take blocks in order but race each other to the engine, as request threads do.
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < blocks)
            {
                var status = t.Volume.Write(h, (long)i * size, data.AsSpan(i * size, size), WriteMode.AtOffset, out int _, out long _);
                if (status != FsStatus.Success)
                    failures.Enqueue($"write {i}: {status}");
            }
        })).ToArray();
        var reader = Task.Run(() =>
        {
            var buffer = new byte[size];
            var random = new Random(18);
            while (!writers.All(w => w.IsCompleted))
            {
                int i = random.Next(blocks);
                var status = t.Volume.Read(h, (long)i * size, buffer, out int n);
                if (status != FsStatus.Success)
                    failures.Enqueue($"read {i}: {status}");
                // A block not written yet reads short (beyond EOF) or as zeros; one written reads as its data.
                else if (n == size && !buffer.AsSpan().SequenceEqual(data.AsSpan(i * size, size)) && buffer.AsSpan().ContainsAnyExcept((byte)0))
                    failures.Enqueue($"read {i}: neither zeros nor the block's data");
            }
        });
        await Task.WhenAll([.. writers, reader]);
        Assert.Empty(failures);
        Assert.Equal(data, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(data, t.ReadFile("concurrent"));
    }

    private static byte[] ReadWhole(Volume volume, string path)
    {
        Assert.Equal(FsStatus.Success, volume.Create(path, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Read }, out var h, out var info, out _));
        var buffer = new byte[info.EndOfFile];
        Assert.Equal(FsStatus.Success, volume.Read(h!, 0, buffer, out int n));
        Assert.Equal(buffer.Length, n);
        volume.Release(h!);
        return buffer;
    }
}
