using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>ReadDirectory and GetDirInfoByName through the thunks, with native buffers.</summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class DirectoryCallbackTests : IDisposable
{
    private readonly MemoryFileSystem _fs = new(new RecordingLogger());
    private readonly NativeFileSystem _native;

    public DirectoryCallbackTests()
    {
        _fs.AddDirectory(@"\Docs");
        for (int i = 0; i < 30; i++)
        {
            _fs.AddFile($@"\Docs\F{i:D2}", new byte[i]);
        }

        _native = new NativeFileSystem(_fs);
    }

    public void Dispose() => _native.Dispose();

    [Fact]
    public void AListingLongerThanOneBufferResumesAfterTheMarkerWithNoDuplicates()
    {
        nint directory = Thunks.OpenPath(_native, @"\Docs");
        const uint BufferLength = 600; // room for five 112-byte entries
        var names = new List<string>();
        string? marker = null;
        bool ended = false;
        int calls = 0;
        while (!ended)
        {
            Assert.True(++calls <= 10, "the listing did not terminate");
            using var buffer = new NativeBuffer((int)BufferLength);
            using var markerText = marker is null ? null : NativeBuffer.FromString(marker);
            uint transferred = 0xFFFF;

            int status = Thunks.ReadDirectory(_native.Pointer, directory, null, markerText is null ? null : markerText.AsChars, buffer.Pointer, BufferLength, &transferred);

            Assert.Equal(NtStatus.Success, status);
            Assert.True(transferred <= BufferLength);
            (List<DirBufferParser.Entry> entries, ended) = DirBufferParser.Parse(buffer.Pointer, transferred);
            Assert.True(ended || entries.Count > 0);
            names.AddRange(entries.Select(e => e.Name));
            marker = entries.Count > 0 ? entries[^1].Name : marker;
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"F{i:D2}"), names);
        // Six buffers of five entries; the last one also has room for the end marker.
        Assert.Equal(6, calls);
        Assert.Equal((string?)null, _fs.DirectoryReads[0].Marker);
        Assert.Equal("F04", _fs.DirectoryReads[1].Marker);
        Thunks.Close(_native.Pointer, directory);
    }

    [Fact]
    public void EntriesCarryTheirFileInfo()
    {
        nint directory = Thunks.OpenPath(_native, @"\Docs");
        using var buffer = new NativeBuffer(64 * 1024);
        uint transferred = 0;

        Assert.Equal(NtStatus.Success, Thunks.ReadDirectory(_native.Pointer, directory, null, null, buffer.Pointer, 64 * 1024, &transferred));

        (List<DirBufferParser.Entry> entries, bool ended) = DirBufferParser.Parse(buffer.Pointer, transferred);
        Assert.True(ended);
        Assert.Equal(30, entries.Count);
        Assert.Equal(_fs.Get(@"\Docs\F17").Info, entries[17].Info);
        Assert.Equal(30 * 112 + 2, (int)transferred);
    }

    [Fact]
    public void GetDirInfoByNameReturnsTheOnDiskCaseOfTheComponent()
    {
        nint directory = Thunks.OpenPath(_native, @"\docs");
        using var name = NativeBuffer.FromString("f07");
        using var dirInfo = new NativeBuffer(FspDirInfo.HeaderSize + (255 * 2));

        Assert.Equal(NtStatus.Success, Thunks.GetDirInfoByName(_native.Pointer, directory, name.AsChars, (FspDirInfo*)dirInfo.Pointer));

        var info = (FspDirInfo*)dirInfo.Pointer;
        Assert.Equal(FspDirInfo.HeaderSize + 6, info->Size);
        Assert.Equal("F07", new string(FspDirInfo.FileNameOf(info), 0, 3));
        Assert.Equal(7ul, info->FileInfo.FileSize);
        Assert.All(dirInfo.Span[2..8].ToArray(), b => Assert.Equal(0, b));
        Assert.All(dirInfo.Span[80..104].ToArray(), b => Assert.Equal(0, b));

        using var missing = NativeBuffer.FromString("nope");
        Assert.Equal(NtStatus.ObjectNameNotFound, Thunks.GetDirInfoByName(_native.Pointer, directory, missing.AsChars, (FspDirInfo*)dirInfo.Pointer));
    }
}
