using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;

namespace Layered.Fsd.Tests;

[Trait("Area", "Engine")]
public class DataPathTests
{
    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void WritesAcrossChunksReadBackAndSurviveRemount(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var data = TestVolume.Pattern(3 * 4096 + 123, 1);
        var h = t.Open("a.bin");
        t.Write(h, 0, data);
        Assert.Equal(data, t.ReadAll(h));
        // Overwrite straddling a chunk boundary (read-modify-write of two chunks).
        var patch = TestVolume.Pattern(300, 2);
        t.Write(h, 4096 - 150, patch);
        patch.CopyTo(data, 4096 - 150);
        Assert.Equal(data, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(data, t.ReadFile("a.bin"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void WritePastEndFillsTheGapWithZeros(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var h = t.Open("gap");
        t.Write(h, 0, TestVolume.Text("head"));
        t.Write(h, 20_000, TestVolume.Text("tail"));
        var all = t.ReadAll(h);
        Assert.Equal(20_004, all.Length);
        Assert.Equal(TestVolume.Text("head"), all[..4]);
        Assert.All(all[4..20_000], b => Assert.Equal(0, b));
        Assert.Equal(TestVolume.Text("tail"), all[20_000..]);
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(all, t.ReadFile("gap"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void TruncateInsideAChunkAndAcrossValidDataLength(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var data = TestVolume.Pattern(10_000, 3);
        var h = t.Open("t");
        t.Write(h, 0, data);
        Assert.Equal(FsStatus.Success, t.Volume.SetFileSize(h, 5_000)); // inside chunk 1
        Assert.Equal(data[..5_000], t.ReadAll(h));
        Assert.Equal(FsStatus.Success, t.Volume.SetFileSize(h, 9_000)); // grow: zeros beyond VDL
        Assert.Equal(FsStatus.Success, t.Volume.GetInfo(h, out var info));
        Assert.Equal(9_000, info.EndOfFile);
        Assert.Equal(5_000, info.ValidDataLength);
        var grown = t.ReadAll(h);
        Assert.Equal(data[..5_000], grown[..5_000]);
        Assert.All(grown[5_000..], b => Assert.Equal(0, b));
        // A write beyond VDL but inside EOF moves VDL and keeps zeros in between.
        t.Write(h, 8_000, TestVolume.Text("x"));
        var after = t.ReadAll(h);
        Assert.Equal((byte)'x', after[8_000]);
        Assert.All(after[5_000..8_000], b => Assert.Equal(0, b));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(after, t.ReadFile("t"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AppendsFromTwoHandlesNeverOverlap(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var a = t.Open("log");
        var b = t.Open("log");
        Assert.Equal(FsStatus.Success, t.Volume.Write(a, 0, TestVolume.Text("aaaa"), WriteMode.Append, out _, out long offA));
        Assert.Equal(FsStatus.Success, t.Volume.Write(b, 0, TestVolume.Text("bbbbbb"), WriteMode.Append, out _, out long offB));
        Assert.Equal(0, offA);
        Assert.Equal(4, offB);
        Assert.Equal(TestVolume.Text("aaaabbbbbb"), t.ReadAll(a));
        t.Volume.Release(a);
        t.Volume.Release(b);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void PagingWritesAreClippedToEndOfFile(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        var h = t.Open("p");
        t.Write(h, 0, TestVolume.Pattern(5000, 4));
        Assert.Equal(FsStatus.Success, t.Volume.Write(h, 4096, new byte[4096], WriteMode.Paging, out int n, out _));
        Assert.Equal(904, n);
        Assert.Equal(FsStatus.Success, t.Volume.Write(h, 8192, new byte[4096], WriteMode.Paging, out n, out _));
        Assert.Equal(0, n);
        Assert.Equal(FsStatus.Success, t.Volume.GetInfo(h, out var info));
        Assert.Equal(5000, info.EndOfFile);
        t.Volume.Release(h);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void HandleAccessIsEnforced(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        t.WriteFile("r", TestVolume.Text("data"));
        var h = t.Open("r", CreateDisposition.Open, FileAccess2.Read);
        Assert.Equal(FsStatus.InvalidHandle, t.Volume.Write(h, 0, TestVolume.Text("x"), WriteMode.AtOffset, out _, out _));
        Assert.Equal(FsStatus.InvalidHandle, t.Volume.SetFileSize(h, 0));
        t.Volume.Release(h);
        Assert.Equal(FsStatus.InvalidHandle, t.Volume.Read(h, 0, new byte[4], out _));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void TamperedChunkIsAnErrorNeverData(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        t.WriteFile("secret", TestVolume.Pattern(9000, 5));
        t.Remount();
        using (var f = t.Store.OpenFile("secret", Layered.Backing.BackingOpenMode.OpenReadWrite))
        {
            var b = new byte[1];
            long at = t.Vault.Layout.StoredOffsetOf(1) + 40;
            f.Read(at, b);
            b[0] ^= 0x01;
            f.Write(at, b);
        }
        var h = t.Open("secret", CreateDisposition.Open, FileAccess2.Read);
        var buffer = new byte[9000];
        Assert.Equal(FsStatus.Success, t.Volume.Read(h, 0, buffer.AsSpan(0, 4096), out _)); // chunk 0 intact
        Assert.Equal(FsStatus.DataCorrupt, t.Volume.Read(h, 4096, buffer.AsSpan(0, 100), out int n));
        Assert.Equal(0, n);
        t.Volume.Release(h);
    }

    [Fact]
    public void BackingFolderNeverHoldsPlaintext()
    {
        using var t = new TestVolume(StoreKind.Directory);
        var marker = TestVolume.Text("PLAINTEXT-MARKER-0123456789");
        var data = new byte[20_000];
        for (int i = 0; i + marker.Length <= data.Length; i += marker.Length) marker.CopyTo(data, i);
        t.WriteFile("m.txt", data);
        t.Remount();
        foreach (var file in Directory.EnumerateFiles(t.Root, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "lock")
                continue; // the held vault lock (empty)
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(marker) < 0, $"plaintext found in {file}");
        }
    }

    // A power cut of the in-memory store keeps only what was made durable. (Crashes of the real folder are
    // the crash harness's job, with real processes killed.)
    [Fact]
    public void FsyncedDataSurvivesAPowerCut()
    {
        using var t = new TestVolume(StoreKind.Memory);
        var h = t.Open("durable");
        var data = TestVolume.Pattern(12_345, 6);
        t.Write(h, 0, data);
        Assert.Equal(FsStatus.Success, t.Volume.Flush(h));
        // Power cut: only what was made durable survives; the volume is never closed.
        var crashed = ((Layered.Backing.InMemoryBackingStore)t.Store).CloneDurableState();
        using var after = t.Mount(crashed);
        var h2 = after.Create("durable", new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Read }, out var rh, out var info, out _);
        Assert.Equal(FsStatus.Success, h2);
        Assert.Equal(data.Length, info.EndOfFile);
        var buffer = new byte[data.Length];
        Assert.Equal(FsStatus.Success, after.Read(rh!, 0, buffer, out int n));
        Assert.Equal(data.Length, n);
        Assert.Equal(data, buffer);
        after.Release(rh!);
        t.Volume.Release(h);
    }

    [Fact]
    public void ManyClosedDirtyFilesAreCheckpointedInTheBackgroundAndReleased()
    {
        using var t = new TestVolume(StoreKind.Memory, o => new VolumeOptions
        {
            Store = o.Store, Vault = o.Vault, CheckpointInterval = TimeSpan.Zero, MaxRetainedDirtyNodes = 16,
        });
        for (int i = 0; i < 200; i++)
            t.WriteFile($"f{i}", TestVolume.Text("data " + i));
        // Closes never wait for the checkpoint; the background one brings the retained nodes back under the bound
        // (the inline fallback alone would leave up to 4x the bound).
        var until = DateTime.UtcNow.AddSeconds(30);
        while (t.Volume.NodeCount >= 16 && DateTime.UtcNow < until)
            Thread.Sleep(10);
        Assert.True(t.Volume.NodeCount < 16, $"{t.Volume.NodeCount} nodes retained");
        t.Remount();
        for (int i = 0; i < 200; i++)
            Assert.Equal(TestVolume.Text("data " + i), t.ReadFile($"f{i}"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void SustainedOverwritesCheckpointOnceTheJournalGrowsPastItsBound(StoreKind kind)
    {
        const long bound = 256 << 10;
        using var t = new TestVolume(kind, o => new VolumeOptions
        {
            Store = o.Store, Vault = o.Vault, CheckpointInterval = TimeSpan.Zero, JournalCheckpointBytes = bound,
        });
        var data = TestVolume.Pattern(64 << 10, 7);
        var h = t.Open("hot");
        t.Write(h, 0, data);
        Assert.Equal(FsStatus.Success, t.Volume.Flush(h));
        long before = t.Volume.Checkpoints;
        // Each overwrite of a stored chunk journals the chunk's image: 600 of them append well over 2 MiB, far past
        // the bound, with no timer and no other bound (one file's pending set stays under its own limits).
        var random = new Random(3);
        for (int i = 0; i < 600; i++)
        {
            int offset = random.Next(16) * 4096;
            var block = TestVolume.Pattern(4096, 100 + i);
            t.Write(h, offset, block);
            block.CopyTo(data, offset);
        }
        // The checkpoint runs in the background: the writer never waits for it.
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((t.Volume.Checkpoints == before || t.Volume.JournalBytesSinceCheckpoint > 2 * bound) && DateTime.UtcNow < until)
            Thread.Sleep(10);
        Assert.True(t.Volume.Checkpoints > before, "no checkpoint ran");
        Assert.True(t.Volume.JournalBytesSinceCheckpoint <= 2 * bound,
            $"{t.Volume.JournalBytesSinceCheckpoint} journal bytes since the last checkpoint (bound {bound})");
        Assert.Equal(data, t.ReadAll(h));
        t.Volume.Release(h);
        t.Remount();
        Assert.Equal(data, t.ReadFile("hot"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void StatOfClosedFilesStaysExactThroughChangesCheckpointsAndReplacement(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        long Size(string p)
        {
            Assert.Equal(FsStatus.Success, t.Volume.GetInfo(p, out var info));
            return info.EndOfFile;
        }
        t.WriteFile("a", TestVolume.Pattern(5000, 1));
        t.Volume.Checkpoint();
        Assert.Equal(5000, Size("a"));
        Assert.Equal(5000, Size("a")); // from the header cache
        var h = t.Open("a", CreateDisposition.Open);
        Assert.Equal(FsStatus.Success, t.Volume.SetFileSize(h, 123_456)); // grows without touching stored length
        t.Volume.Release(h);
        t.Volume.Checkpoint();
        Assert.Equal(123_456, Size("a"));
        t.WriteFile("b", TestVolume.Pattern(77, 2));
        t.Volume.Checkpoint();
        Assert.Equal(FsStatus.Success, t.Volume.Rename("b", "a", RenameFlags.Replace));
        Assert.Equal(77, Size("a"));
        t.Remount();
        Assert.Equal(77, Size("a"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void CheckpointOfManyFilesFlushesTheStoreAsAWholeAndWritesBackHeldOverwritesAndEveryHeader(StoreKind kind)
    {
        using var t = new TestVolume(kind);
        Assert.True(t.Store.CanSyncAll); // the real folder on Linux (syncfs) and the in-memory store
        var expected = new Dictionary<string, byte[]>();
        void Make(int i)
        {
            var data = TestVolume.Pattern(1000 + 137 * i, i);
            var h = t.Open($"f{i}", CreateDisposition.Create);
            t.Write(h, 0, data);
            var patch = TestVolume.Pattern(100, 1000 + i); // an overwrite of chunk 0: held until written back
            t.Write(h, 10, patch);
            patch.CopyTo(data, 10);
            t.Volume.Release(h);
            expected[$"f{i}"] = data;
        }
        for (int i = 0; i < 3; i++)
            Make(i);
        t.Volume.Checkpoint();
        Assert.Equal(0, t.Volume.BatchedCheckpoints); // a few files: fsynced one by one
        for (int i = 3; i < 40; i++)
            Make(i);
        var stillOpen = t.Open("f5", CreateDisposition.Open);
        t.Volume.Checkpoint();
        Assert.Equal(1, t.Volume.BatchedCheckpoints);
        foreach (var (name, data) in expected)
        {
            var stored = new byte[FileHeader.Size];
            using (var file = t.Store.OpenFile(name, BackingOpenMode.OpenRead))
                Assert.Equal(FileHeader.Size, file.Read(0, stored));
            var header = t.Vault.Headers.Decode(stored.AsSpan(0, FileHeader.Size), name);
            Assert.Equal(data.Length, header.Eof);
            Assert.Equal(data.Length, header.Vdl);
            Assert.True(header.AppliedLsn > 0, $"{name}: header not written by the checkpoint");
        }
        Assert.Equal(expected["f5"], t.ReadAll(stillOpen));
        t.Volume.Release(stillOpen);
        // The checkpoint let the journal drop what it covered: the held overwrites must be in the files themselves.
        t.Remount();
        foreach (var (name, data) in expected)
            Assert.Equal(data, t.ReadFile(name));
    }

    [Fact]
    public void StatAfterACheckpointReleasedTheNodeNeedsNoHeaderRead()
    {
        var opens = new OpenCounter();
        var store = OpenCounter.Wrap(new InMemoryBackingStore(), opens);
        using var t = new TestVolume(StoreKind.Memory, store: store);
        for (int i = 0; i < 20; i++)
            t.WriteFile($"f{i}", TestVolume.Pattern(3000 + i, i));
        t.Volume.Checkpoint();
        Assert.Equal(0, t.Volume.NodeCount);
        int before = opens.Count;
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(FsStatus.Success, t.Volume.GetInfo($"f{i}", out var info));
            Assert.Equal(3000 + i, info.EndOfFile);
        }
        Assert.Equal(before, opens.Count); // every size came from the header the checkpoint wrote
        // A change behind the cache's back (the backing file's length and times move) is not answered from it.
        var h = t.Open("f3", CreateDisposition.Open);
        t.Write(h, 3003, TestVolume.Pattern(10, 99));
        t.Volume.Release(h);
        t.Volume.Checkpoint();
        Assert.Equal(FsStatus.Success, t.Volume.GetInfo("f3", out var grown));
        Assert.Equal(3013, grown.EndOfFile);
    }

    /// <summary>Counts IBackingStore.OpenFile calls of a wrapped store.</summary>
    public class OpenCounter : System.Reflection.DispatchProxy
    {
        private IBackingStore _inner = null!;
        private OpenCounter _counter = null!;
        public int Count;

        public static IBackingStore Wrap(IBackingStore inner, OpenCounter counter)
        {
            var proxy = Create<IBackingStore, OpenCounter>();
            var self = (OpenCounter)(object)proxy;
            self._inner = inner;
            self._counter = counter;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IBackingStore.OpenFile))
                Interlocked.Increment(ref _counter.Count);
            try
            {
                return method.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
