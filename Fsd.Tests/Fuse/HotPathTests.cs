using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace Layered.Fuse.Tests;

/// <summary>The read/write path: request sizes the kernel uses, and nothing allocated per call.</summary>
[Trait("Area", "Fuse")]
public sealed unsafe class HotPathTests(ITestOutputHelper output) : IDisposable
{
    private const int ODirect = 0x4000;
    private const int Block = 4096;
    private const int Blocks = 3000;

    private readonly TestMount _mount = TestMount.Start();

    public void Dispose() => _mount.Dispose();

    [Fact]
    public void ReadWriteCallbacksAllocateNothingInSteadyState()
    {
        string path = _mount.PathOf("steady.bin");
        byte* buffer = (byte*)NativeMemory.AlignedAlloc(Block, Block);
        try
        {
            new Span<byte>(buffer, Block).Fill(0x5A);

            // Without a writeback cache every 4 KiB write(2) is one WRITE request.
            int fd = PosixCalls.open(path, PosixCalls.O_WRONLY | PosixCalls.O_CREAT, 0x1A4);
            Assert.True(fd >= 0);
            for (int i = 0; i < Blocks; i++)
            {
                Assert.Equal(Block, (int)PosixCalls.write(fd, buffer, Block));
            }

            PosixCalls.close(fd);

            // O_DIRECT bypasses the page cache: every 4 KiB pread is one READ request.
            fd = PosixCalls.open(path, PosixCalls.O_RDONLY | ODirect, 0);
            Assert.True(fd >= 0, $"O_DIRECT open failed: errno {PosixCalls.LastErrno}");
            for (int i = 0; i < Blocks; i++)
            {
                Assert.Equal(Block, (int)PosixCalls.pread(fd, buffer, Block, (long)i * Block));
            }

            PosixCalls.close(fd);
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }

        HostPathProbe probe = _mount.FileSystem.Probe;
        output.WriteLine($"measured {probe.MeasuredGaps} gaps between read/write callbacks; {probe.GapsWithAllocation} of them allocated, {probe.AllocatedBetweenCalls} bytes in all");
        Assert.True(probe.MeasuredGaps > Blocks / 2, $"only {probe.MeasuredGaps} gaps measured");

        // A per-call allocation would show in nearly every gap. The runtime may allocate once
        // while it warms up (observed: one 80-byte allocation when a method is promoted to its
        // optimised tier), so a handful of gaps is tolerated, never a pattern.
        Assert.True(probe.GapsWithAllocation <= 4,
            $"{probe.GapsWithAllocation} of {probe.MeasuredGaps} gaps allocated ({probe.AllocatedBetweenCalls} bytes)");
    }

    [Fact]
    public void StreamingReadArrivesInLargeRequests()
    {
        string path = _mount.PathOf("stream.bin");
        var data = new byte[8 * 1024 * 1024];
        new Random(5).NextBytes(data);
        File.WriteAllBytes(path, data);

        byte[] back = new byte[data.Length];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            int total = 0;
            while (total < back.Length)
            {
                int read = stream.Read(back, total, Math.Min(4 * 1024 * 1024, back.Length - total));
                Assert.True(read > 0);
                total += read;
            }
        }

        Assert.Equal(data, back);
        output.WriteLine($"largest read request {_mount.FileSystem.LargestRead} bytes, largest write request {_mount.FileSystem.LargestWrite} bytes");
        // The host raises the mount's readahead window to 1 MiB, so sequential reads are not
        // chopped into the kernel's default 128 KiB.
        Assert.True(_mount.FileSystem.LargestRead >= 512 * 1024, $"largest read request was {_mount.FileSystem.LargestRead} bytes");
        Assert.True(_mount.FileSystem.LargestWrite >= 1024 * 1024, $"largest write request was {_mount.FileSystem.LargestWrite} bytes");
    }
}
