using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>REPARSE_DATA_BUFFER for symlinks: layout against ntifs.h, decoding, malformed input, small buffers.</summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class ReparseDataBufferTests
{
    [Fact]
    public void TheSymlinkHeaderHasTheNtifsOffsets()
    {
        Assert.Equal(20, sizeof(SymlinkReparseHeader));
        SymlinkReparseHeader h = default;
        byte* b = (byte*)&h;
        Assert.Equal(0, (byte*)&h.ReparseTag - b);
        Assert.Equal(4, (byte*)&h.ReparseDataLength - b);
        Assert.Equal(6, (byte*)&h.Reserved - b);
        Assert.Equal(8, (byte*)&h.SubstituteNameOffset - b);
        Assert.Equal(10, (byte*)&h.SubstituteNameLength - b);
        Assert.Equal(12, (byte*)&h.PrintNameOffset - b);
        Assert.Equal(14, (byte*)&h.PrintNameLength - b);
        Assert.Equal(16, (byte*)&h.Flags - b);
        Assert.Equal(20, ReparseDataBuffer.SymlinkPathBufferOffset);
        Assert.Equal(8, ReparseDataBuffer.HeaderSize);
        Assert.Equal(16 * 1024, ReparseDataBuffer.MaximumSize);
        Assert.Equal(0xA000000Cu, ReparseDataBuffer.SymlinkTag);
        Assert.Equal(1u, ReparseDataBuffer.SymlinkFlagRelative);
    }

    [Fact]
    public void TheOperationContextAndIoStatusBlockHaveTheirX64Sizes()
    {
        Assert.Equal(16, sizeof(FspOperationContext));
        Assert.Equal(16, sizeof(IoStatusBlock));
        FspOperationContext c = default;
        Assert.Equal(8, (byte*)&c.Response - (byte*)&c);
        // Req @16: UserContext (8), UserContext2 (8), FsControlCode (4), Buffer {UINT16 Offset, UINT16 Size} (4).
        Assert.Equal(16 + 8 + 8 + 4 + 4, TransactRequestLayout.FileSystemControlTargetOnFileSystem);
    }

    [Fact]
    public void WritingGivesTheCanonicalBytesAndParsingGivesTheNamesBack()
    {
        var data = new SymlinkReparseData(@"..\dir\file.txt", @"..\dir\file.txt", Relative: true);
        var buffer = new byte[ReparseDataBuffer.SymlinkSize(data)];
        Assert.Equal(NtStatus.Success, ReparseDataBuffer.WriteSymlink(data, buffer, out int written));
        Assert.Equal(buffer.Length, written);
        Assert.Equal(ReparseBuffers.Symlink(@"..\dir\file.txt"), buffer);

        Assert.Equal(NtStatus.Success, ReparseDataBuffer.TryParseSymlink(buffer, out var parsed));
        Assert.Equal(data, parsed);
    }

    [Fact]
    public void ParsingReadsNamesWhereverTheOffsetsPutThem()
    {
        // Print name first, then the substitute name: the offsets decide, not the order.
        var b = ReparseBuffers.Symlink("PRINT", "SUBST", relative: false);
        b = ReparseBuffers.WithUInt16(b, 8, 10);  // substitute at byte 10 of PathBuffer
        b = ReparseBuffers.WithUInt16(b, 12, 0);  // print at byte 0
        Assert.Equal(NtStatus.Success, ReparseDataBuffer.TryParseSymlink(b, out var parsed));
        Assert.Equal(new SymlinkReparseData("SUBST", "PRINT", Relative: false), parsed);
    }

    [Fact]
    public void ABufferTooSmallIsRefusedAndLeftUntouched()
    {
        var data = new SymlinkReparseData("target", "target", true);
        var buffer = new byte[ReparseDataBuffer.SymlinkSize(data) - 1];
        Array.Fill(buffer, (byte)0xCD);
        Assert.Equal(NtStatus.BufferTooSmall, ReparseDataBuffer.WriteSymlink(data, buffer, out int written));
        Assert.Equal(0, written);
        Assert.All(buffer, b => Assert.Equal(0xCD, b));
    }

    public static TheoryData<string, byte[], int> Malformed()
    {
        var good = ReparseBuffers.Symlink("target");
        return new TheoryData<string, byte[], int>
        {
            { "shorter than the header", good[..7], NtStatus.IoReparseDataInvalid },
            { "header but no symlink fields", ReparseBuffers.Header(ReparseBuffers.SymlinkTag, 4), NtStatus.IoReparseDataInvalid },
            { "ReparseDataLength too large", ReparseBuffers.WithUInt16(good, 4, (ushort)(good.Length - 7)), NtStatus.IoReparseDataInvalid },
            { "ReparseDataLength too small", ReparseBuffers.WithUInt16(good, 4, (ushort)(good.Length - 9)), NtStatus.IoReparseDataInvalid },
            { "substitute name beyond PathBuffer", ReparseBuffers.WithUInt16(good, 8, 14), NtStatus.IoReparseDataInvalid },
            { "odd substitute length", ReparseBuffers.WithUInt16(good, 10, 3), NtStatus.IoReparseDataInvalid },
            { "odd print offset", ReparseBuffers.WithUInt16(good, 12, 1), NtStatus.IoReparseDataInvalid },
            { "empty substitute name", ReparseBuffers.WithUInt16(good, 10, 0), NtStatus.IoReparseDataInvalid },
            { "unknown flag", ReparseBuffers.Symlink("target", flags: 3), NtStatus.IoReparseDataInvalid },
            { "longer than 16 KiB", new byte[16 * 1024 + 1], NtStatus.IoReparseDataInvalid },
            { "reserved tag 0", ReparseBuffers.Header(0), NtStatus.IoReparseTagInvalid },
            { "reserved tag 1", ReparseBuffers.Header(1), NtStatus.IoReparseTagInvalid },
            { "mount point (junction) tag", ReparseBuffers.Header(ReparseBuffers.MountPointTag, 8), NtStatus.IoReparseTagNotHandled },
            { "a third-party tag", ReparseBuffers.Header(0x0000BEEF, 24), NtStatus.IoReparseTagNotHandled },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void AMalformedOrForeignBufferGetsTheNtfsStatus(string what, byte[] buffer, int expected)
    {
        int status = ReparseDataBuffer.TryParseSymlink(buffer, out _);
        Assert.True(expected == status, $"{what}: expected {NtStatus.Describe(expected)}, got {NtStatus.Describe(status)}");
    }
}
