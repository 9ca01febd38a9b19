using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Tests;

/// <summary>
/// The Read and Write thunks are on the hot path: in steady state they must allocate nothing
/// (context lookup, span over the caller's buffer, FileInfo copy-out).
/// </summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class AllocationTests
{
    [Fact]
    public void ReadAndWriteThunksAllocateNothingPerCall()
    {
        var fs = new FixedFileSystem(new RecordingLogger());
        using var native = new NativeFileSystem(fs);
        nint context = (nint)fs.OpenContexts.Add(new object());
        using var buffer = new NativeBuffer(4096);
        uint transferred = 0;
        FspFileInfo info = default;

        // Warm up: JIT, tiering and first-call stubs allocate.
        for (int i = 0; i < 100; i++)
        {
            Thunks.Read(native.Pointer, context, buffer.Pointer, 0, 4096, &transferred);
            Thunks.Write(native.Pointer, context, buffer.Pointer, 0, 4096, 0, 0, &transferred, &info);
        }

        // No assertion inside the measured loop: xunit's Assert.Equal allocates.
        int statuses = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            statuses |= Thunks.Read(native.Pointer, context, buffer.Pointer, 0, 4096, &transferred);
            statuses |= Thunks.Write(native.Pointer, context, buffer.Pointer, 0, 4096, 0, 0, &transferred, &info);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(NtStatus.Success, statuses);
        Assert.Equal(0, allocated);
        Assert.Equal(4096u, transferred);
        Assert.Equal(4096ul, info.FileSize);
    }

    /// <summary>A file system whose Read and Write do no work of their own, so only the thunk is measured.</summary>
    private sealed class FixedFileSystem(ILogger logger) : WinFspFileSystemBase(logger)
    {
        public override int Read(object fileContext, Span<byte> buffer, ulong offset, out uint bytesTransferred)
        {
            buffer[0] = 1;
            bytesTransferred = (uint)buffer.Length;
            return NtStatus.Success;
        }

        public override int Write(object fileContext, ReadOnlySpan<byte> buffer, ulong offset, bool writeToEndOfFile, bool constrainedIo, out uint bytesTransferred, out FspFileInfo fileInfo)
        {
            bytesTransferred = (uint)buffer.Length;
            fileInfo = new FspFileInfo { FileSize = (ulong)buffer.Length };
            return NtStatus.Success;
        }
    }
}
