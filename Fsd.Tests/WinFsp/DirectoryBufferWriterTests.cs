using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>
/// The managed DIR_INFO writer against the format of FspFileSystemAddDirInfo (src/dll/fsop.c): header
/// plus name, Size unpadded, next entry at Size rounded up to 8, nothing written when an entry does not
/// fit, end marker a bare zero UINT16.
/// </summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class DirectoryBufferWriterTests
{
    [Fact]
    public void EntriesAreHeaderPlusNameAlignedTo8WithZeroedPadding()
    {
        using var buffer = new NativeBuffer(256);
        uint transferred = 0;
        var writer = new DirectoryBufferWriter(buffer.Pointer, 256, &transferred);
        var info = new FspFileInfo { FileSize = 42, FileAttributes = FileAttributeBits.Archive, IndexNumber = 7 };

        Assert.True(writer.TryAdd("a", info));
        Assert.Equal(112u, transferred);
        Assert.True(writer.TryAdd("bcdef", info));
        Assert.Equal(112u + 120u, transferred);

        var first = (FspDirInfo*)buffer.Pointer;
        Assert.Equal(106, first->Size);
        Assert.Equal(info, first->FileInfo);
        Assert.Equal('a', FspDirInfo.FileNameOf(first)[0]);
        Assert.All(buffer.Span[2..8].ToArray(), b => Assert.Equal(0, b));
        Assert.All(buffer.Span[80..104].ToArray(), b => Assert.Equal(0, b));
        Assert.All(buffer.Span[106..112].ToArray(), b => Assert.Equal(0, b));

        var second = (FspDirInfo*)(buffer.Pointer + 112);
        Assert.Equal(114, second->Size);
        Assert.Equal("bcdef", new string(FspDirInfo.FileNameOf(second), 0, 5));
    }

    [Fact]
    public void AnEntryThatDoesNotFitWritesNothing()
    {
        using var buffer = new NativeBuffer(200);
        uint transferred = 0;
        var writer = new DirectoryBufferWriter(buffer.Pointer, 200, &transferred);

        Assert.True(writer.TryAdd("first", default));
        Assert.False(writer.TryAdd("second", default));

        Assert.Equal(120u, transferred);
        Assert.All(buffer.Span[120..].ToArray(), b => Assert.Equal(NativeBuffer.Poison, b));
    }

    [Fact]
    public void TheEndMarkerIsTwoZeroBytesAndNeedsRoom()
    {
        using var buffer = new NativeBuffer(114);
        uint transferred = 0;
        var writer = new DirectoryBufferWriter(buffer.Pointer, 114, &transferred);

        Assert.True(writer.TryAdd("x", default));
        Assert.True(writer.TryAddEndMarker());
        Assert.Equal(114u, transferred);
        Assert.Equal(0, buffer.Span[112]);
        Assert.Equal(0, buffer.Span[113]);
        Assert.False(writer.TryAddEndMarker());
        Assert.Equal(114u, writer.BytesTransferred);
    }

    [Fact]
    public void AnEmptyNameIsRejected()
    {
        using var buffer = new NativeBuffer(256);
        uint transferred = 0;
        var writer = new DirectoryBufferWriter(buffer.Pointer, 256, &transferred);
        bool threw = false;
        try
        {
            writer.TryAdd(string.Empty, default);
        }
        catch (ArgumentException)
        {
            threw = true;
        }

        Assert.True(threw);
        Assert.Equal(0u, transferred);
    }
}
