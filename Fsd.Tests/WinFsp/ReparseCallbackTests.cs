using Layered.Fsd;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>The reparse slots across the native boundary, over the real adapter: the size protocol and statuses.</summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class ReparseCallbackTests : IDisposable
{
    private readonly AdapterVolume _volume = new(StoreKind.Memory);
    private readonly NativeFileSystem _native;

    public ReparseCallbackTests()
    {
        Assert.Equal(FsStatus.Success, _volume.Adapter.Volume.CreateSymlink("link", "dir/target", -1, -1, out _));
        _native = new NativeFileSystem(_volume.Adapter);
    }

    public void Dispose()
    {
        _native.Dispose();
        _volume.Dispose();
    }

    [Fact]
    public void GetReparsePointReportsTheSizeWrittenAndRefusesASmallBuffer()
    {
        nint id = Thunks.OpenPath(_native, @"\link");
        byte[] expected = ReparseBuffers.Symlink(@"dir\target");
        using var name = NativeBuffer.FromString(@"\link");
        using var buffer = new NativeBuffer(256);

        nuint size = (nuint)expected.Length - 1;
        Assert.Equal(NtStatus.BufferTooSmall, Thunks.GetReparsePoint(_native.Pointer, id, name.AsChars, buffer.Pointer, &size));
        Assert.Equal((nuint)expected.Length - 1, size);
        Assert.All(buffer.Span.ToArray(), b => Assert.Equal(NativeBuffer.Poison, b));

        size = 256;
        Assert.Equal(NtStatus.Success, Thunks.GetReparsePoint(_native.Pointer, id, name.AsChars, buffer.Pointer, &size));
        Assert.Equal((nuint)expected.Length, size);
        Assert.Equal(expected, buffer.Span[..expected.Length].ToArray());
        Thunks.Close(_native.Pointer, id);
    }

    [Fact]
    public void SetAndDeleteGoThroughTheThunksAndAClosedContextIsAnInvalidHandle()
    {
        Assert.Equal(NtStatus.Success, _volume.Adapter.Create(@"\new", AdapterVolume.FileCreate, 0x1F01FF, 0, [], 0, [], false, out var context, out _, out _));
        nuint id = _volume.Adapter.OpenContexts.Add(context!);
        using var name = NativeBuffer.FromString(@"\new");
        byte[] reparse = ReparseBuffers.Symlink("t");
        fixed (byte* data = reparse)
        {
            Assert.Equal(NtStatus.Success, Thunks.SetReparsePoint(_native.Pointer, (nint)id, name.AsChars, data, (nuint)reparse.Length));
            Assert.Equal(NtStatus.IoReparseDataInvalid, Thunks.SetReparsePoint(_native.Pointer, (nint)id, name.AsChars, data, 16 * 1024 + 1));
        }

        byte[] header = ReparseBuffers.Header(ReparseBuffers.SymlinkTag);
        fixed (byte* data = header)
        {
            Assert.Equal(NtStatus.Success, Thunks.DeleteReparsePoint(_native.Pointer, (nint)id, name.AsChars, data, (nuint)header.Length));
        }

        Thunks.Close(_native.Pointer, (nint)id);
        fixed (byte* data = header)
        {
            Assert.Equal(NtStatus.InvalidHandle, Thunks.DeleteReparsePoint(_native.Pointer, (nint)id, name.AsChars, data, (nuint)header.Length));
        }

        nuint size = 64;
        using var buffer = new NativeBuffer(64);
        Assert.Equal(NtStatus.InvalidHandle, Thunks.GetReparsePoint(_native.Pointer, (nint)id, name.AsChars, buffer.Pointer, &size));
    }

    [Fact]
    public void GetReparsePointByNameAnswersTheHelpersQuestionWithOrWithoutABuffer()
    {
        using var link = NativeBuffer.FromString(@"\LINK");
        using var root = NativeBuffer.FromString(@"\");
        Assert.Equal(NtStatus.Success, Thunks.GetReparsePointByName(_native.Pointer, null, link.AsChars, 1, null, null));
        Assert.Equal(NtStatus.NotAReparsePoint, Thunks.GetReparsePointByName(_native.Pointer, null, root.AsChars, 1, null, null));

        using var buffer = new NativeBuffer(128);
        nuint size = 128;
        Assert.Equal(NtStatus.Success, Thunks.GetReparsePointByName(_native.Pointer, null, link.AsChars, 0, buffer.Pointer, &size));
        Assert.Equal(ReparseBuffers.Symlink(@"dir\target"), buffer.Span[..(int)size].ToArray());
    }

    [Fact]
    public void ResolveReparsePointsNeedsTheBoundDllAndSaysSoWithoutIt()
    {
        // The resolver is WinFsp's own (FspFileSystemResolveReparsePoints); with no DLL bound there is nothing to call.
        using var name = NativeBuffer.FromString(@"\link\x");
        IoStatusBlock io = default;
        using var buffer = new NativeBuffer(256);
        nuint size = 256;
        Assert.Equal(NtStatus.InvalidDeviceRequest, Thunks.ResolveReparsePoints(_native.Pointer, name.AsChars, 1, 1, &io, buffer.Pointer, &size));
    }

    [Fact]
    public void AFileSystemWithoutAManagedContextGetsAStatusNotACrash()
    {
        using var orphan = new NativeBuffer(sizeof(FspFileSystemHeader));
        orphan.Span.Clear();
        var header = (FspFileSystemHeader*)orphan.Pointer;
        using var name = NativeBuffer.FromString(@"\link");
        nuint size = 0;
        Assert.Equal(NtStatus.UnexpectedIoError, Thunks.GetReparsePointByName(header, null, name.AsChars, 0, null, &size));
        Assert.Equal(NtStatus.UnexpectedIoError, Thunks.ResolveReparsePoints(header, name.AsChars, 1, 1, null, null, &size));
        Assert.Equal(NtStatus.UnexpectedIoError, Thunks.GetReparsePoint(header, 1, name.AsChars, null, &size));
    }
}
