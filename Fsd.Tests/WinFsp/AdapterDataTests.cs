using System.Text;
using Layered.WinFsp.Adapter;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>Read, write (append and paging), sizes and basic information through the adapter.</summary>
[Trait("Area", "WinFsp")]
public sealed class AdapterDataTests
{
    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void ReadAtOrPastTheEndIsEndOfFileAndAShortReadEndsAtTheEnd(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.WriteFile(@"\f", Text("0123456789"));
        var f = v.Open(@"\f");
        var buffer = new byte[16];
        Assert.Equal(NtStatus.Success, v.Adapter.Read(f, buffer, 6, out uint n));
        Assert.Equal(4u, n);
        Assert.Equal(Text("6789"), buffer[..4]);
        Assert.Equal(NtStatus.EndOfFile, v.Adapter.Read(f, buffer, 10, out n));
        Assert.Equal(0u, n);
        Assert.Equal(NtStatus.EndOfFile, v.Adapter.Read(f, buffer, ulong.MaxValue, out _));
        v.CloseHandle(f);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void APagingWritePastTheEndIsClippedAndNeverExtends(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.WriteFile(@"\p", Text("abcdef"));
        var f = v.Open(@"\p");

        Assert.Equal(NtStatus.Success, v.Adapter.Write(f, Text("XYZ12345"), 4, false, true, out uint n, out var info));
        Assert.Equal(2u, n);
        Assert.Equal(6ul, info.FileSize);
        Assert.Equal(NtStatus.Success, v.Adapter.Write(f, Text("QQ"), 100, false, true, out n, out info));
        Assert.Equal(0u, n);
        Assert.Equal(6ul, info.FileSize);
        Assert.Equal(Text("abcdXY"), v.ReadAll(f));
        v.CloseHandle(f);
        v.Remount();
        Assert.Equal(Text("abcdXY"), v.ReadFile(@"\p"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void TwoWritesToEndOfFileAppendOneAfterTheOtherAndReportTheNewSize(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.WriteFile(@"\log", Text("start;"));
        var a = v.Open(@"\log");
        var b = v.Open(@"\log");
        // The offset is meaningless with WriteToEndOfFile (the DLL passes -1).
        Assert.Equal(NtStatus.Success, v.Adapter.Write(a, Text("first;"), ulong.MaxValue, true, false, out uint n1, out var i1));
        Assert.Equal(NtStatus.Success, v.Adapter.Write(b, Text("second;"), 0, true, false, out uint n2, out var i2));
        Assert.Equal((6u, 12ul), (n1, i1.FileSize));
        Assert.Equal((7u, 19ul), (n2, i2.FileSize));
        v.CloseHandle(a);
        v.CloseHandle(b);
        Assert.Equal(Text("start;first;second;"), v.ReadFile(@"\log"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void SetBasicInfoLeavesInvalidAttributesAndZeroTimesAlone(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var f = v.CreateFile(@"\t", FileAttributeBits.Hidden);
        var created = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).ToFileTimeUtc();
        var written = new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc();
        Assert.Equal(NtStatus.Success, v.Adapter.SetBasicInfo(f, FileAttributeBits.Invalid, (ulong)created, 0, (ulong)written, 0, out var info));
        Assert.Equal(FileAttributeBits.Hidden | FileAttributeBits.Archive, info.FileAttributes);
        Assert.Equal((ulong)created, info.CreationTime);
        Assert.Equal((ulong)written, info.LastWriteTime);

        Assert.Equal(NtStatus.Success, v.Adapter.SetBasicInfo(f, FileAttributeBits.ReadOnly, 0, 0, 0, 0, out info));
        Assert.Equal(FileAttributeBits.ReadOnly, info.FileAttributes);
        Assert.Equal((ulong)created, info.CreationTime);
        Assert.Equal((ulong)written, info.LastWriteTime);

        // A caller's lone FILE_ATTRIBUTE_NORMAL arrives as 0: every settable attribute cleared.
        Assert.Equal(NtStatus.Success, v.Adapter.SetBasicInfo(f, 0, 0, 0, 0, 0, out info));
        Assert.Equal(FileAttributeBits.Normal, info.FileAttributes);
        v.CloseHandle(f);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void SetFileSizeExtendsWithZerosAndAnAllocationBelowTheSizeTruncates(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var f = v.CreateFile(@"\s");
        v.Write(f, 0, Text("hello"));
        Assert.Equal(NtStatus.Success, v.Adapter.SetFileSize(f, 8, false, out var info));
        Assert.Equal(8ul, info.FileSize);
        Assert.Equal(Text("hello\0\0\0"), v.ReadAll(f));
        Assert.Equal(NtStatus.Success, v.Adapter.SetFileSize(f, 3, true, out info));
        Assert.Equal(3ul, info.FileSize);
        Assert.True(info.AllocationSize >= info.FileSize);
        Assert.Equal(NtStatusMap.FileTooLarge, v.Adapter.SetFileSize(f, ulong.MaxValue, false, out _));
        Assert.Equal(NtStatus.Success, v.Adapter.Flush(f, out info));
        Assert.Equal(3ul, info.FileSize);
        Assert.Equal(NtStatus.Success, v.Adapter.Flush(null, out _));
        v.CloseHandle(f);
        v.Remount();
        Assert.Equal(Text("hel"), v.ReadFile(@"\s"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void VolumeInfoReportsSpaceAndTheLabelSet(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        Assert.Equal(NtStatus.Success, v.Adapter.SetVolumeLabel("Secrets", out var info));
        Assert.Equal("Secrets", info.Label);
        Assert.True(info.TotalSize >= info.FreeSize);
        Assert.True(info.TotalSize > 0);
        Assert.Equal(NtStatus.InvalidParameter, v.Adapter.SetVolumeLabel(new string('x', 33), out _));
        Assert.Equal(NtStatus.Success, v.Adapter.GetVolumeInfo(out info));
        Assert.Equal("Secrets", info.Label);
    }
}
