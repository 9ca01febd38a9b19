using System.Diagnostics;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>Requests served on several loop threads at once, page-cache writeback from mmap (in another process), and real tools.</summary>
[Trait("Area", "Fuse")]
public sealed class ConcurrentAndMappedIoTests : IDisposable
{
    private readonly TestMount _mount = TestMount.Start();

    public void Dispose() => _mount.Dispose();

    [Fact]
    public async Task ParallelWritersEachGetTheirOwnDataBack()
    {
        const int Writers = 8;
        var contents = Enumerable.Range(0, Writers).Select(i =>
        {
            var bytes = new byte[1_500_000];
            new Random(100 + i).NextBytes(bytes);
            return bytes;
        }).ToArray();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(() =>
        {
            string path = _mount.PathOf($"parallel-{i}");
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            for (int offset = 0; offset < contents[i].Length; offset += 64 * 1024)
            {
                stream.Write(contents[i], offset, Math.Min(64 * 1024, contents[i].Length - offset));
            }
        })));

        for (int i = 0; i < Writers; i++)
        {
            Assert.Equal(contents[i], File.ReadAllBytes(_mount.PathOf($"parallel-{i}")));
        }
    }

    [Fact]
    public void SharedMmapWriteIsVisibleThroughRead()
    {
        string path = _mount.PathOf("mapped");
        File.WriteAllBytes(path, new byte[64 * 1024]);
        // Mapped and written by another process: a page fault on a mapping waits for the file system while holding
        // its process's memory-map lock, which the server's own threads need to allocate, so a mapping of a file in
        // the process that serves it can deadlock. flush() is msync: the dirty pages reach the file system as writes.
        const string script = "import mmap, os, sys\n" +
            "fd = os.open(sys.argv[1], os.O_RDWR)\n" +
            "m = mmap.mmap(fd, 65536)\n" +
            "for i in range(0, 65536, 4096): m[i] = i // 4096 + 1\n" +
            "m.flush(); m.close(); os.close(fd)\n";
        Assert.Equal(0, Run("python3", "-c", script, path));

        Assert.True(_mount.FileSystem.PageWrites > 0, "no write arrived flagged as writepage");
        byte[] content = File.ReadAllBytes(path);
        for (int i = 0; i < content.Length; i++)
        {
            Assert.Equal(i % 4096 == 0 ? (byte)(i / 4096 + 1) : (byte)0, content[i]);
        }
    }

    [Fact]
    public void CpAndDiffOfATreeThroughTheMount()
    {
        string source = Directory.CreateTempSubdirectory("layered-fuse-tree-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(source, "a", "b"));
            File.WriteAllText(Path.Combine(source, "top.txt"), "top");
            var blob = new byte[300_000];
            new Random(7).NextBytes(blob);
            File.WriteAllBytes(Path.Combine(source, "a", "blob.bin"), blob);
            File.WriteAllText(Path.Combine(source, "a", "b", "deep.txt"), "deep");
            File.CreateSymbolicLink(Path.Combine(source, "a", "link"), "blob.bin");

            Assert.Equal(0, Run("cp", "-a", source + "/.", _mount.PathOf("copy")));
            Assert.Equal(0, Run("diff", "-r", "--no-dereference", source, _mount.PathOf("copy")));
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    private static int Run(string program, params string[] arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(program, arguments))!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
