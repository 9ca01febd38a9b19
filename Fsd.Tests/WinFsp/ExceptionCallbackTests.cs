using System.Runtime.InteropServices;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Tests;

/// <summary>An exception inside a callback becomes a status and a log entry; it never reaches native code.</summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class ExceptionCallbackTests : IDisposable
{
    private readonly RecordingLogger _logger = new();
    private readonly MemoryFileSystem _fs;
    private readonly NativeFileSystem _native;

    public ExceptionCallbackTests()
    {
        _fs = new MemoryFileSystem(_logger);
        _fs.AddFile(@"\f", [1, 2, 3]);
        _native = new NativeFileSystem(_fs);
    }

    public void Dispose() => _native.Dispose();

    [Fact]
    public void AThrowingReadReturnsUnexpectedIoErrorAndLogsTheCallback()
    {
        nint file = Thunks.OpenPath(_native, @"\f");
        _fs.ThrowFrom = "Read";
        using var buffer = new NativeBuffer(8);
        uint transferred = 0;

        int status = Thunks.Read(_native.Pointer, file, buffer.Pointer, 0, 8, &transferred);

        Assert.Equal(NtStatus.UnexpectedIoError, status);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("Read", entry.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Fact]
    public void AThrowingOpenRegistersNoContext()
    {
        _fs.ThrowFrom = "Open";
        using var name = NativeBuffer.FromString(@"\f");
        using var info = new NativeBuffer(sizeof(FspOpenFileInfo));
        ((FspOpenFileInfo*)info.Pointer)->NormalizedName = null;
        nint context = 0;

        Assert.Equal(NtStatus.UnexpectedIoError, Thunks.Open(_native.Pointer, name.AsChars, 0, 0, &context, (FspOpenFileInfo*)info.Pointer));
        Assert.Equal(0, context);
        Assert.Equal(0, _fs.OpenContexts.Count);
    }

    [Fact]
    public void ThrowingVoidCallbacksAreLoggedAndCloseStillReleasesTheContext()
    {
        nint file = Thunks.OpenPath(_native, @"\f");
        _fs.ThrowFrom = "Cleanup";
        Thunks.Cleanup(_native.Pointer, file, null, 0);
        _fs.ThrowFrom = "Close";
        Thunks.Close(_native.Pointer, file);
        _fs.ThrowFrom = "DispatcherStopped";
        Thunks.DispatcherStopped(_native.Pointer, 1);

        Assert.Equal(0, _fs.OpenContexts.Count);
        Assert.Equal(3, _logger.Entries.Count(e => e.Level == LogLevel.Error));
    }

    [Fact]
    public void AFileSystemWhoseExceptionMappingThrowsStillGetsAStatus()
    {
        var fs = new ThrowingMapper(_logger);
        using var native = new NativeFileSystem(fs);
        FspVolumeInfo info = default;
        Assert.Equal(NtStatus.UnexpectedIoError, Thunks.GetVolumeInfo(native.Pointer, &info));
    }

    [Fact]
    public void ACustomExceptionMappingIsUsed()
    {
        var fs = new MappingFileSystem(_logger);
        using var native = new NativeFileSystem(fs);
        FspVolumeInfo info = default;
        Assert.Equal(NtStatus.DiskFull, Thunks.GetVolumeInfo(native.Pointer, &info));
    }

    [Fact]
    public void AFileSystemWithoutAManagedContextGetsUnexpectedIoError()
    {
        var header = (FspFileSystemHeader*)NativeMemory.AllocZeroed((nuint)sizeof(FspFileSystemHeader));
        try
        {
            FspVolumeInfo info = default;
            Assert.Equal(NtStatus.UnexpectedIoError, Thunks.GetVolumeInfo(header, &info));
            Thunks.Close(header, 42);
        }
        finally
        {
            NativeMemory.Free(header);
        }
    }

    private sealed class ThrowingMapper(ILogger logger) : Managed.WinFspFileSystemBase(logger)
    {
        public override int GetVolumeInfo(out FspVolumeInfo volumeInfo) => throw new IOException("disk gone");

        public override int OnCallbackException(string callback, Exception exception) => throw new InvalidOperationException("mapping failed");
    }

    private sealed class MappingFileSystem(ILogger logger) : Managed.WinFspFileSystemBase(logger)
    {
        public override int GetVolumeInfo(out FspVolumeInfo volumeInfo) => throw new IOException("No space left");

        public override int OnCallbackException(string callback, Exception exception) =>
            exception is IOException ? NtStatus.DiskFull : base.OnCallbackException(callback, exception);
    }
}
