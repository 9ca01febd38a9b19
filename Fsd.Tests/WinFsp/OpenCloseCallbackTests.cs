using System.Text;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Tests;

/// <summary>
/// Create/Open/Close through the native thunks: name marshaling, FileInfo and normalized-name
/// out-parameters, and the per-open context lifecycle (no leak after Close, no use after Close).
/// </summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class OpenCloseCallbackTests : IDisposable
{
    private readonly RecordingLogger _logger = new();
    private readonly MemoryFileSystem _fs;
    private readonly NativeFileSystem _native;

    public OpenCloseCallbackTests()
    {
        _fs = new MemoryFileSystem(_logger);
        _fs.AddDirectory(@"\Dir");
        _fs.AddFile(@"\Dir\File.txt", Encoding.ASCII.GetBytes("hello"));
        _native = new NativeFileSystem(_fs);
    }

    public void Dispose() => _native.Dispose();

    [Fact]
    public void OpenMarshalsTheNameAndReturnsFileInfoAndTheRealCaseFullPath()
    {
        using var name = NativeBuffer.FromString(@"\DIR\FILE.TXT");
        using var normalized = new NativeBuffer(1024);
        using var info = new NativeBuffer(sizeof(FspOpenFileInfo));
        var openInfo = (FspOpenFileInfo*)info.Pointer;
        openInfo->NormalizedName = (char*)normalized.Pointer;
        openInfo->NormalizedNameSize = 1024;
        nint context = 0;

        int status = Thunks.Open(_native.Pointer, name.AsChars, CreateOptions.NonDirectoryFile, 0x120089, &context, openInfo);

        Assert.Equal(NtStatus.Success, status);
        Assert.NotEqual(0, context);
        Assert.Equal(5ul, openInfo->FileInfo.FileSize);
        Assert.Equal(FileAttributeBits.Archive, openInfo->FileInfo.FileAttributes);
        Assert.Equal(_fs.Get(@"\Dir\File.txt").Info.IndexNumber, openInfo->FileInfo.IndexNumber);
        Assert.Equal(@"\Dir\File.txt".Length * 2, openInfo->NormalizedNameSize);
        Assert.Equal(@"\Dir\File.txt", new string((char*)normalized.Pointer, 0, openInfo->NormalizedNameSize / 2));

        // No terminator and nothing else written past the name.
        Assert.All(normalized.Span[openInfo->NormalizedNameSize..].ToArray(), b => Assert.Equal(NativeBuffer.Poison, b));
        Assert.Equal(1, _fs.OpenContexts.Count);
    }

    [Fact]
    public void ANormalizedNameThatDoesNotFitLeavesTheCapacityUnchanged()
    {
        using var name = NativeBuffer.FromString(@"\dir\file.txt");
        using var normalized = new NativeBuffer(8);
        using var info = new NativeBuffer(sizeof(FspOpenFileInfo));
        var openInfo = (FspOpenFileInfo*)info.Pointer;
        openInfo->NormalizedName = (char*)normalized.Pointer;
        openInfo->NormalizedNameSize = 8;
        nint context = 0;

        Assert.Equal(NtStatus.Success, Thunks.Open(_native.Pointer, name.AsChars, 0, 0, &context, openInfo));
        Assert.Equal(8, openInfo->NormalizedNameSize);
        Assert.All(normalized.Span.ToArray(), b => Assert.Equal(NativeBuffer.Poison, b));
    }

    [Fact]
    public void OpeningAMissingNameFailsWithoutRegisteringAContext()
    {
        using var name = NativeBuffer.FromString(@"\Dir\Missing");
        using var info = new NativeBuffer(sizeof(FspOpenFileInfo));
        ((FspOpenFileInfo*)info.Pointer)->NormalizedName = null;
        nint context = 0;

        int status = Thunks.Open(_native.Pointer, name.AsChars, 0, 0, &context, (FspOpenFileInfo*)info.Pointer);

        Assert.Equal(NtStatus.ObjectNameNotFound, status);
        Assert.Equal(0, context);
        Assert.Equal(0, _fs.OpenContexts.Count);
    }

    [Fact]
    public void CloseReleasesTheContextAndALaterCallOnItGetsInvalidHandle()
    {
        nint context = Thunks.OpenPath(_native, @"\Dir\File.txt");
        Assert.Equal(1, _fs.OpenContexts.Count);

        Thunks.Close(_native.Pointer, context);

        Assert.Equal(0, _fs.OpenContexts.Count);
        MemoryFileSystem.Handle closed = Assert.Single(_fs.ClosedHandles);
        Assert.True(closed.Closed);

        using var buffer = new NativeBuffer(16);
        uint transferred = 0xDEAD;
        Assert.Equal(NtStatus.InvalidHandle, Thunks.Read(_native.Pointer, context, buffer.Pointer, 0, 16, &transferred));
        Assert.Equal(0xDEADu, transferred);

        // A second Close is reported, and never reaches the file system twice.
        Thunks.Close(_native.Pointer, context);
        Assert.Single(_fs.ClosedHandles);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Error && e.Exception!.Message.Contains("not open", StringComparison.Ordinal));
    }

    [Fact]
    public void ManyOpensAndClosesLeaveNoContextBehindAndIdsAreNeverReusedVerbatim()
    {
        var seen = new HashSet<nint>();
        for (int round = 0; round < 50; round++)
        {
            nint a = Thunks.OpenPath(_native, @"\Dir\File.txt");
            nint b = Thunks.OpenPath(_native, @"\dir");
            Assert.True(seen.Add(a));
            Assert.True(seen.Add(b));
            Thunks.Close(_native.Pointer, b);
            Thunks.Close(_native.Pointer, a);
        }

        Assert.Equal(0, _fs.OpenContexts.Count);
        Assert.Equal(100, _fs.ClosedHandles.Count);
    }

    [Fact]
    public void CreateExPassesDispositionSecurityDescriptorAndExtraBuffer()
    {
        byte[] descriptor = SecurityDescriptors.OwnerSystemAllowEveryone();
        using var name = NativeBuffer.FromString(@"\Dir\New Folder");
        using var sd = new NativeBuffer(descriptor.Length + 20); // trailing poison must not be taken as part of the SD
        descriptor.CopyTo(sd.Span);
        using var extra = new NativeBuffer(3);
        extra.Span[0] = 1;
        extra.Span[1] = 2;
        extra.Span[2] = 3;
        using var normalized = new NativeBuffer(512);
        using var info = new NativeBuffer(sizeof(FspOpenFileInfo));
        var openInfo = (FspOpenFileInfo*)info.Pointer;
        openInfo->NormalizedName = (char*)normalized.Pointer;
        openInfo->NormalizedNameSize = 512;
        uint options = ((uint)CreateDisposition.Create << 24) | CreateOptions.DirectoryFile;
        nint context = 0;

        int status = Thunks.CreateEx(_native.Pointer, name.AsChars, options, 0x1F01FF, FileAttributeBits.Directory, sd.Pointer, 0, extra.Pointer, 3, 0, &context, openInfo);

        Assert.Equal(NtStatus.Success, status);
        MemoryFileSystem.Node created = _fs.Get(@"\Dir\New Folder");
        Assert.True(created.IsDirectory);
        Assert.Equal(CreateDisposition.Create, CreateOptions.Disposition(created.CreateOptions));
        Assert.Equal(descriptor, created.SecurityDescriptor);
        Assert.Equal(new byte[] { 1, 2, 3 }, created.ExtraBuffer);
        Assert.Equal(FileAttributeBits.Directory, openInfo->FileInfo.FileAttributes);
        Assert.Equal(@"\Dir\New Folder", new string((char*)normalized.Pointer, 0, openInfo->NormalizedNameSize / 2));

        nint collided = 0;
        Assert.Equal(NtStatus.ObjectNameCollision, Thunks.CreateEx(_native.Pointer, name.AsChars, options, 0, 0, null, 0, null, 0, 0, &collided, openInfo));
        Assert.Equal(0, collided);
        Assert.Equal(1, _fs.OpenContexts.Count);
    }

    [Fact]
    public void SuccessWithoutAContextIsTurnedIntoAnErrorAndNothingIsRegistered()
    {
        _fs.OpenWithoutContext = true;
        using var name = NativeBuffer.FromString(@"\Dir\File.txt");
        using var info = new NativeBuffer(sizeof(FspOpenFileInfo));
        ((FspOpenFileInfo*)info.Pointer)->NormalizedName = null;
        nint context = 0;

        int status = Thunks.Open(_native.Pointer, name.AsChars, 0, 0, &context, (FspOpenFileInfo*)info.Pointer);

        Assert.Equal(NtStatus.UnexpectedIoError, status);
        Assert.Equal(0, context);
        Assert.Equal(0, _fs.OpenContexts.Count);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Open", StringComparison.Ordinal));
    }

    [Fact]
    public void CleanupPassesFlagsAndTheNameOnlyWhenDeleting()
    {
        nint context = Thunks.OpenPath(_native, @"\Dir\File.txt");
        Thunks.Cleanup(_native.Pointer, context, null, (uint)(CleanupFlags.SetLastWriteTime | CleanupFlags.SetArchiveBit));
        using var name = NativeBuffer.FromString(@"\Dir\File.txt");
        Thunks.Cleanup(_native.Pointer, context, name.AsChars, (uint)CleanupFlags.Delete);
        Thunks.Close(_native.Pointer, context);

        Assert.Equal([(null, CleanupFlags.SetLastWriteTime | CleanupFlags.SetArchiveBit), (@"\Dir\File.txt", CleanupFlags.Delete)], _fs.Cleanups);
        Assert.Throws<KeyNotFoundException>(() => _fs.Get(@"\Dir\File.txt"));
        Assert.Equal(0, _fs.OpenContexts.Count);
    }

    [Fact]
    public void OverwriteExPassesReplaceAttributesAndReturnsTheTruncatedFileInfo()
    {
        nint context = Thunks.OpenPath(_native, @"\Dir\File.txt");
        FspFileInfo info = default;

        Assert.Equal(NtStatus.Success, Thunks.OverwriteEx(_native.Pointer, context, FileAttributeBits.Hidden, 1, 0, null, 0, &info));

        Assert.Equal(0ul, info.FileSize);
        Assert.Equal(FileAttributeBits.Hidden | FileAttributeBits.Archive, info.FileAttributes);
    }

    [Fact]
    public void SetDeleteAndRenameMarshalNamesAndFlags()
    {
        nint directory = Thunks.OpenPath(_native, @"\Dir");
        using var dirName = NativeBuffer.FromString(@"\Dir");
        Assert.Equal(NtStatus.DirectoryNotEmpty, Thunks.SetDelete(_native.Pointer, directory, dirName.AsChars, 1));
        Assert.Equal(NtStatus.Success, Thunks.SetDelete(_native.Pointer, directory, dirName.AsChars, 0));
        Assert.Equal([(@"\Dir", true), (@"\Dir", false)], _fs.Dispositions);

        _fs.AddFile(@"\Other.txt", [9]);
        nint file = Thunks.OpenPath(_native, @"\Dir\File.txt");
        using var from = NativeBuffer.FromString(@"\Dir\File.txt");
        using var to = NativeBuffer.FromString(@"\Other.txt");
        Assert.Equal(NtStatus.ObjectNameCollision, Thunks.Rename(_native.Pointer, file, from.AsChars, to.AsChars, 0));
        Assert.Equal(NtStatus.Success, Thunks.Rename(_native.Pointer, file, from.AsChars, to.AsChars, 1));
        Assert.Equal(5, _fs.Get(@"\other.txt").Data.Length);
    }
}
