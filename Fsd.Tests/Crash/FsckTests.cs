using Layered.Backing;
using Layered.Fsd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Crash.Tests;

/// <summary>fsck's core (<see cref="VaultChecker"/>): finds the failing chunk of a tampered file, and repair moves
/// the file to /lost+found with its readable chunks beside it, deleting nothing.</summary>
[Trait("Area", "Crash")]
public sealed class FsckTests
{
    [Fact]
    public void TamperedChunkIsNamedAndRepairKeepsEveryReadableChunk()
    {
        using var harness = new CrashHarness();
        var store = new InMemoryBackingStore();
        Volume.InitializeStore(store, CrashHarness.JournalOptions, NullLoggerFactory.Instance);
        var data = Workloads.Pattern(5 * 4096 + 100, 42);
        using (var volume = harness.Mount(store))
        {
            Write(volume, "dir/bad.bin", data, mkdir: true);
            Write(volume, "good.bin", data[..5000], mkdir: false);
        }
        // Flip one byte inside stored chunk 2 of dir/bad.bin: a 96-byte header, five full chunks of 4096 + overhead
        // bytes, a last chunk of 100 + overhead, so size = 96 + 6 * storedChunk - 3996.
        long storedChunk = (store.TryGetEntry("dir/bad.bin")!.Length - 96 + 3996) / 6;
        using (var file = store.OpenFile("dir/bad.bin", BackingOpenMode.OpenReadWrite))
        {
            var one = new byte[1];
            long at = 96 + 2 * storedChunk + 1000;
            file.Read(at, one);
            one[0] ^= 0x40;
            file.Write(at, one);
        }

        using (var volume = harness.Mount(store))
        {
            var report = new VaultChecker(volume, NullLogger.Instance).Check(repair: false);
            Assert.Equal(2, report.FilesChecked);
            var damaged = Assert.Single(report.Damaged);
            Assert.Equal("dir/bad.bin", damaged.Path);
            Assert.Equal([2L], damaged.BadChunks);

            report = new VaultChecker(volume, NullLogger.Instance).Check(repair: true);
            Assert.Single(report.Repairs);
            Assert.Equal(FsStatus.NotFound, volume.GetInfo("dir/bad.bin", out _));
            Assert.Equal(FsStatus.Success, volume.GetInfo("lost+found/dir_bad.bin", out var moved));
            Assert.Equal(data.Length, moved.EndOfFile);
            var copy = Read(volume, "lost+found/dir_bad.bin.readable");
            var expected = (byte[])data.Clone();
            Array.Clear(expected, 2 * 4096, 4096); // the one unreadable chunk comes back as zeros
            Assert.Equal(expected, copy);
            Assert.Equal(data[..5000], Read(volume, "good.bin"));
        }

        using (var volume = harness.Mount(store)) // the repair was journaled and checkpointed: it survives a remount
        {
            var report = new VaultChecker(volume, NullLogger.Instance).Check(repair: false);
            Assert.True(report.Clean);
            Assert.Equal("lost+found/dir_bad.bin", Assert.Single(report.Quarantined).Path);
        }
    }

    private static void Write(Volume volume, string path, byte[] data, bool mkdir)
    {
        if (mkdir)
            Assert.Equal(FsStatus.Success, volume.CreateDirectory(FsPath.Parent(path), UnixMode.DefaultDirectory, -1, -1, out _));
        Assert.Equal(FsStatus.Success, volume.Create(path, new CreateRequest { Disposition = CreateDisposition.Create, Access = FileAccess2.All }, out var h, out _, out _));
        Assert.Equal(FsStatus.Success, volume.Write(h!, 0, data, WriteMode.AtOffset, out _, out _));
        volume.Release(h!);
    }

    private static byte[] Read(Volume volume, string path)
    {
        Assert.Equal(FsStatus.Success, volume.Create(path, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Read }, out var h, out var info, out _));
        var buffer = new byte[info.EndOfFile];
        Assert.Equal(FsStatus.Success, volume.Read(h!, 0, buffer, out int n));
        Assert.Equal(buffer.Length, n);
        volume.Release(h!);
        return buffer;
    }
}
