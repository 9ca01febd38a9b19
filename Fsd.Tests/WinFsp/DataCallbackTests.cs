using System.Text;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>Read, Write, Flush and the file-information thunks over native buffers.</summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class DataCallbackTests : IDisposable
{
    private readonly MemoryFileSystem _fs = new(new RecordingLogger());
    private readonly NativeFileSystem _native;
    private readonly nint _file;

    public DataCallbackTests()
    {
        _fs.AddFile(@"\data.bin", Encoding.ASCII.GetBytes("hello world"));
        _native = new NativeFileSystem(_fs);
        _file = Thunks.OpenPath(_native, @"\data.bin");
    }

    public void Dispose()
    {
        Thunks.Close(_native.Pointer, _file);
        _native.Dispose();
    }

    [Fact]
    public void ReadFillsOnlyTheTransferredBytesOfTheCallersBuffer()
    {
        using var buffer = new NativeBuffer(16);
        uint transferred = 0;

        Assert.Equal(NtStatus.Success, Thunks.Read(_native.Pointer, _file, buffer.Pointer, 6, 16, &transferred));

        Assert.Equal(5u, transferred);
        Assert.Equal("world", Encoding.ASCII.GetString(buffer.Span[..5]));
        Assert.All(buffer.Span[5..].ToArray(), b => Assert.Equal(NativeBuffer.Poison, b));
    }

    [Fact]
    public void ReadAtEndOfFileReturnsEndOfFile()
    {
        using var buffer = new NativeBuffer(4);
        uint transferred = 0;
        Assert.Equal(NtStatus.EndOfFile, Thunks.Read(_native.Pointer, _file, buffer.Pointer, 11, 4, &transferred));
        Assert.Equal(0u, transferred);
    }

    [Fact]
    public void TwoWriteToEndOfFileAppendsLandAtTheEndAndReportTheNewSize()
    {
        using var first = new NativeBuffer(3);
        "abc"u8.CopyTo(first.Span);
        using var second = new NativeBuffer(2);
        "de"u8.CopyTo(second.Span);
        uint transferred = 0;
        FspFileInfo info = default;

        Assert.Equal(NtStatus.Success, Thunks.Write(_native.Pointer, _file, first.Pointer, ulong.MaxValue, 3, 1, 0, &transferred, &info));
        Assert.Equal(3u, transferred);
        Assert.Equal(14ul, info.FileSize);
        Assert.Equal(NtStatus.Success, Thunks.Write(_native.Pointer, _file, second.Pointer, ulong.MaxValue, 2, 1, 0, &transferred, &info));
        Assert.Equal(16ul, info.FileSize);

        Assert.Equal("hello worldabcde", Encoding.ASCII.GetString(_fs.Get(@"\data.bin").Data));
        Assert.Equal([(ulong.MaxValue, 3, true, false), (ulong.MaxValue, 2, true, false)], _fs.Writes);
    }

    [Fact]
    public void AConstrainedPagingWritePastEndOfFileIsClippedAndNeverExtends()
    {
        using var page = new NativeBuffer(4096);
        page.Span.Fill((byte)'x');
        uint transferred = 0;
        FspFileInfo info = default;

        Assert.Equal(NtStatus.Success, Thunks.Write(_native.Pointer, _file, page.Pointer, 8, 4096, 0, 1, &transferred, &info));

        Assert.Equal(3u, transferred);
        Assert.Equal(11ul, info.FileSize);
        Assert.Equal("hello woxxx", Encoding.ASCII.GetString(_fs.Get(@"\data.bin").Data));
    }

    [Fact]
    public void FlushWithANullContextIsAVolumeFlush()
    {
        FspFileInfo info = default;
        Assert.Equal(NtStatus.Success, Thunks.Flush(_native.Pointer, 0, &info));
        Assert.Equal(1, _fs.VolumeFlushes);

        Assert.Equal(NtStatus.Success, Thunks.Flush(_native.Pointer, _file, &info));
        Assert.Equal(11ul, info.FileSize);
        Assert.Equal(1, _fs.VolumeFlushes);
    }

    [Fact]
    public void GetFileInfoSetBasicInfoAndSetFileSizeFillTheOutParameter()
    {
        FspFileInfo info = default;
        Assert.Equal(NtStatus.Success, Thunks.GetFileInfo(_native.Pointer, _file, &info));
        Assert.Equal(_fs.Get(@"\data.bin").Info, info);

        Assert.Equal(NtStatus.Success, Thunks.SetBasicInfo(_native.Pointer, _file, FileAttributeBits.Invalid, 0, 0, 777, 0, &info));
        Assert.Equal(FileAttributeBits.Archive, info.FileAttributes);
        Assert.Equal(777ul, info.LastWriteTime);

        Assert.Equal(NtStatus.Success, Thunks.SetFileSize(_native.Pointer, _file, 4, 0, &info));
        Assert.Equal(4ul, info.FileSize);
        Assert.Equal("hell", Encoding.ASCII.GetString(_fs.Get(@"\data.bin").Data));
    }

    [Fact]
    public void VolumeInfoLabelAndDispatcherStoppedReachTheFileSystem()
    {
        FspVolumeInfo volume = default;
        Assert.Equal(NtStatus.Success, Thunks.GetVolumeInfo(_native.Pointer, &volume));
        Assert.Equal("Vault", volume.Label);
        Assert.Equal(10, volume.VolumeLabelLength);
        Assert.Equal(1ul << 30, volume.TotalSize);

        using var label = NativeBuffer.FromString("New");
        Assert.Equal(NtStatus.InvalidDeviceRequest, Thunks.SetVolumeLabel(_native.Pointer, label.AsChars, &volume));

        Thunks.DispatcherStopped(_native.Pointer, 0);
        Assert.False(_fs.StoppedNormally);
    }
}
