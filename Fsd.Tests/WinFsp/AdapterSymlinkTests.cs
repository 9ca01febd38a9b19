using System.Text;
using Layered.Fsd;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>
/// Symlinks as reparse points, driven through the adapter as the DLL calls it (CreateSymbolicLink is CreateEx, then
/// FSCTL_SET_REPARSE_POINT), over a real engine on the in-memory store and on a real folder.
/// </summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class AdapterSymlinkTests
{
    private const uint OpenReparsePoint = CreateOptions.OpenReparsePoint;

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] GetReparse(AdapterVolume v, object context, int capacity = 1024)
    {
        var buffer = new byte[capacity];
        Assert.Equal(NtStatus.Success, v.Adapter.GetReparsePoint(context, "", buffer, out int written));
        return buffer[..written];
    }

    private static FspFileInfo Info(AdapterVolume v, object context)
    {
        Assert.Equal(NtStatus.Success, v.Adapter.GetFileInfo(context, out var info));
        return info;
    }

    /// <summary>The attributes of a name, without ARCHIVE (which the engine sets on every new non-directory, symlinks
    /// included, and which says nothing about reparse points).</summary>
    private static uint Attributes(AdapterVolume v, string name)
    {
        Assert.Equal(NtStatus.Success, v.Adapter.GetSecurityByName(name, false, out uint attributes, out _));
        return attributes & ~FileAttributeBits.Archive;
    }

    private static uint NoArchive(uint attributes) => attributes & ~FileAttributeBits.Archive;

    /// <summary>What CreateSymbolicLinkW does: create the empty file or directory, set the reparse point, close.</summary>
    private static void MakeLink(AdapterVolume v, string name, byte[] reparse, bool directory, int targetOnFileSystem = 0)
    {
        var context = directory ? v.CreateDirectory(name) : v.CreateFile(name);
        Assert.Equal(NtStatus.Success, v.Adapter.SetReparsePoint(context, name, reparse, targetOnFileSystem));
        v.CloseHandle(context);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AFileSymlinkBecomesAnEngineSymlinkAndReadsBackByteForByte(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.WriteFile(@"\target.txt", Text("content"));
        var reparse = ReparseBuffers.Symlink("target.txt");
        var context = v.CreateFile(@"\link.txt");
        Assert.Equal(NtStatus.Success, v.Adapter.SetReparsePoint(context, @"\link.txt", reparse, 0));

        var info = Info(v, context);
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Archive, info.FileAttributes);
        Assert.Equal(ReparseBuffers.SymlinkTag, info.ReparseTag);
        Assert.Equal(0ul, info.FileSize);
        Assert.Equal(reparse, GetReparse(v, context));
        v.CloseHandle(context);

        Assert.Equal(FsStatus.Success, v.Adapter.Volume.ReadSymlink("link.txt", out string target));
        Assert.Equal("target.txt", target); // what the Linux host's readlink shows
        v.Remount();
        Assert.Equal(FileAttributeBits.ReparsePoint, Attributes(v, @"\LINK.TXT"));
        var reopened = v.Open(@"\link.txt", OpenReparsePoint);
        Assert.Equal(reparse, GetReparse(v, reopened));
        v.CloseHandle(reopened);
        Assert.Equal(Text("content"), v.ReadFile(@"\target.txt"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void ADirectorySymlinkKeepsItsDirectoryAttributeThroughTheEngine(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var reparse = ReparseBuffers.Symlink(@"..\elsewhere\dir");
        v.CloseHandle(v.CreateDirectory(@"\d"));
        MakeLink(v, @"\d\dlink", reparse, directory: true);

        Assert.Equal(FsStatus.Success, v.Adapter.Volume.ReadSymlink("d/dlink", out string target));
        Assert.Equal("../elsewhere/dir/", target); // the trailing '/' records "directory symlink"
        v.Remount();
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Directory, Attributes(v, @"\d\dlink"));

        // RemoveDirectory and friends open it as a directory, as itself.
        var context = v.Open(@"\d\dlink", CreateOptions.DirectoryFile | OpenReparsePoint);
        Assert.Equal(reparse, GetReparse(v, context));
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Directory, Info(v, context).FileAttributes); // no ARCHIVE, as the directory had none
        v.CloseHandle(context, @"\d\dlink"); // delete: the link goes, as RemoveDirectory does
        Assert.False(v.Exists(@"\d\dlink"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AnAbsoluteTargetOnThisVolumeIsKeptRootedAtTheVolume(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var reparse = ReparseBuffers.Symlink(@"\??\L:\docs\a.txt", @"L:\docs\a.txt", relative: false);
        MakeLink(v, @"\abs", reparse, directory: false, targetOnFileSystem: @"\??\L:".Length * 2);

        Assert.Equal(FsStatus.Success, v.Adapter.Volume.ReadSymlink("abs", out string target));
        Assert.Equal("/docs/a.txt", target);
        var context = v.Open(@"\abs", OpenReparsePoint);
        Assert.Equal(ReparseBuffers.Symlink(@"\docs\a.txt"), GetReparse(v, context)); // relative to the volume root
        v.CloseHandle(context);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AnAbsoluteTargetElsewhereIsRefusedAndTheFileStaysAsItWas(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var context = v.CreateFile(@"\outside");
        var reparse = ReparseBuffers.Symlink(@"\??\C:\Windows\notepad.exe", @"C:\Windows\notepad.exe", relative: false);
        Assert.Equal(NtStatus.AccessDenied, v.Adapter.SetReparsePoint(context, @"\outside", reparse, 0));
        Assert.Equal(0u, Info(v, context).ReparseTag);
        v.CloseHandle(context);
        Assert.Equal(FsStatus.Success, v.Adapter.Volume.GetInfo("outside", out var info));
        Assert.Equal(NodeType.File, info.Type);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void SymlinksMadeThroughTheEngineAreListedAndReadAsReparsePoints(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var engine = v.Adapter.Volume;
        v.CloseHandle(v.CreateDirectory(@"\abs"));
        v.CloseHandle(v.CreateDirectory(@"\abs\dir"));
        v.CloseHandle(v.CreateDirectory(@"\links"));
        // As the Linux host makes them (symlink(2)): no trailing '/', so a directory is recognised by its target.
        Assert.Equal(FsStatus.Success, engine.CreateSymlink("links/to-file", "../sub/file.txt", -1, -1, out _));
        Assert.Equal(FsStatus.Success, engine.CreateSymlink("links/to-dir", "/abs/dir", -1, -1, out _));
        Assert.Equal(FsStatus.Success, engine.CreateSymlink("links/chain", "to-dir", -1, -1, out _));
        v.Remount();

        var entries = ListWithInfo(v, @"\links");
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Directory, NoArchive(entries["to-dir"].FileAttributes));
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Directory, NoArchive(entries["chain"].FileAttributes));
        Assert.Equal(FileAttributeBits.ReparsePoint, NoArchive(entries["to-file"].FileAttributes));
        Assert.All(new[] { "to-dir", "chain", "to-file" }, n => Assert.Equal(ReparseBuffers.SymlinkTag, entries[n].ReparseTag));
        Assert.Equal(0u, entries["."].ReparseTag);

        var context = v.Open(@"\links\to-file", OpenReparsePoint);
        Assert.Equal((@"..\sub\file.txt", @"..\sub\file.txt", 1u), ReparseBuffers.Decode(GetReparse(v, context)));
        Assert.Equal(NtStatus.EndOfFile, v.Adapter.Read(context, new byte[16], 0, out _)); // a symlink has no data
        v.CloseHandle(context);
        context = v.Open(@"\links\to-dir", CreateOptions.DirectoryFile | OpenReparsePoint);
        Assert.Equal((@"\abs\dir", @"\abs\dir", 1u), ReparseBuffers.Decode(GetReparse(v, context)));
        v.CloseHandle(context);

        Assert.Equal(NtStatus.Success, v.Adapter.GetDirInfoByName(v.Open(@"\links", CreateOptions.DirectoryFile), "TO-DIR", out string? real, out var byName));
        Assert.Equal("to-dir", real);
        Assert.Equal(ReparseBuffers.SymlinkTag, byName.ReparseTag);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void APathThroughASymlinkIsReportedAsAReparseAtItsComponent(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.CloseHandle(v.CreateDirectory(@"\a"));
        v.CloseHandle(v.CreateDirectory(@"\real"));
        v.WriteFile(@"\real\x.txt", Text("x"));
        Assert.Equal(FsStatus.Success, v.Adapter.Volume.CreateSymlink("a/dlink", "../real", -1, -1, out _));

        Assert.Equal(NtStatus.Reparse, v.Adapter.GetSecurityByName(@"\a\dlink\x.txt", true, out uint index, out _));
        Assert.Equal((uint)@"\a\".Length, index);
        Assert.Equal(NtStatus.Reparse, v.Adapter.GetSecurityByName(@"\A\DLINK\missing\deeper", false, out index, out _));
        Assert.Equal((uint)@"\A\".Length, index);
        // The last component being a symlink is told by its attributes: the DLL reparses unless FILE_OPEN_REPARSE_POINT.
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Directory, Attributes(v, @"\a\dlink"));
        // A real missing name is still exactly "name not found", and a file parent still "path not found".
        Assert.Equal(NtStatus.ObjectNameNotFound, v.Adapter.GetSecurityByName(@"\real\nope", false, out _, out _));
        Assert.Equal(NtStatus.ObjectPathNotFound, v.Adapter.GetSecurityByName(@"\real\x.txt\nope", false, out _, out _));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void GetReparsePointByNameServesTheResolverHelper(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.CloseHandle(v.CreateDirectory(@"\dir"));
        Assert.Equal(FsStatus.Success, v.Adapter.Volume.CreateSymlink("dir/link", "../other", -1, -1, out _));
        var buffer = new byte[256];

        Assert.Equal(NtStatus.Success, v.Adapter.GetReparsePointByName(@"\DIR\LINK", true, wantData: false, [], out int written));
        Assert.Equal(0, written);
        Assert.Equal(NtStatus.Success, v.Adapter.GetReparsePointByName(@"\dir\link", false, wantData: true, buffer, out written));
        Assert.Equal(ReparseBuffers.Symlink(@"..\other"), buffer[..written]);
        Assert.Equal(NtStatus.NotAReparsePoint, v.Adapter.GetReparsePointByName(@"\dir", true, wantData: false, [], out _));
        Assert.Equal(NtStatus.ObjectNameNotFound, v.Adapter.GetReparsePointByName(@"\dir\none", true, wantData: false, [], out _));
        Assert.Equal(NtStatus.BufferTooSmall, v.Adapter.GetReparsePointByName(@"\dir\link", false, wantData: true, buffer.AsSpan(0, 20), out _));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void DeleteReparsePointLeavesAnEmptyFileOrDirectoryWithTheSameDescriptor(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var descriptor = SecurityDescriptors.OwnerSystemAllowEveryone();
        Assert.Equal(NtStatus.Success, v.Adapter.Create(@"\flink", AdapterVolume.FileCreate | CreateOptions.NonDirectoryFile, 0x1F01FF,
            FileAttributeBits.Hidden, descriptor, 0, [], false, out var context, out _, out _));
        Assert.Equal(NtStatus.Success, v.Adapter.SetReparsePoint(context!, @"\flink", ReparseBuffers.Symlink("t"), 0));
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Hidden | FileAttributeBits.Archive, Info(v, context!).FileAttributes);
        Assert.Equal(NtStatus.Success, v.Adapter.GetSecurity(context!, out var kept));
        Assert.Equal(descriptor, kept);

        Assert.Equal(NtStatus.IoReparseTagMismatch, v.Adapter.DeleteReparsePoint(context!, @"\flink", ReparseBuffers.Header(ReparseBuffers.MountPointTag)));
        Assert.Equal(NtStatus.IoReparseDataInvalid, v.Adapter.DeleteReparsePoint(context!, @"\flink", ReparseBuffers.Header(ReparseBuffers.SymlinkTag, 4)));
        Assert.Equal(NtStatus.IoReparseDataInvalid, v.Adapter.DeleteReparsePoint(context!, @"\flink", new byte[5]));
        Assert.Equal(NtStatus.IoReparseTagInvalid, v.Adapter.DeleteReparsePoint(context!, @"\flink", ReparseBuffers.Header(0)));
        Assert.Equal(NtStatus.Success, v.Adapter.DeleteReparsePoint(context!, @"\flink", ReparseBuffers.Header(ReparseBuffers.SymlinkTag)));

        var info = Info(v, context!);
        Assert.Equal(0u, info.ReparseTag);
        Assert.Equal(0u, info.FileAttributes & (FileAttributeBits.ReparsePoint | FileAttributeBits.Directory));
        Assert.Equal(FileAttributeBits.Hidden, info.FileAttributes & FileAttributeBits.Hidden);
        Assert.Equal(NtStatus.Success, v.Adapter.GetSecurity(context!, out kept));
        Assert.Equal(descriptor, kept);
        Assert.Equal(NtStatus.NotAReparsePoint, v.Adapter.GetReparsePoint(context!, "", new byte[64], out _));
        Assert.Equal(NtStatus.NotAReparsePoint, v.Adapter.DeleteReparsePoint(context!, @"\flink", ReparseBuffers.Header(ReparseBuffers.SymlinkTag)));
        v.Write(context!, 0, Text("now a file")); // the open moved to the new file
        v.CloseHandle(context!);
        Assert.Equal(Text("now a file"), v.ReadFile(@"\flink"));

        MakeLink(v, @"\dlink", ReparseBuffers.Symlink("somewhere"), directory: true);
        var directory = v.Open(@"\dlink", CreateOptions.DirectoryFile | OpenReparsePoint);
        Assert.Equal(NtStatus.Success, v.Adapter.DeleteReparsePoint(directory, @"\dlink", ReparseBuffers.Header(ReparseBuffers.SymlinkTag)));
        v.CloseHandle(directory);
        v.Remount();
        Assert.Equal(FileAttributeBits.Directory, Attributes(v, @"\dlink"));
        Assert.Equal(FsStatus.Success, v.Adapter.Volume.GetInfo("dlink", out var engineInfo));
        Assert.Equal(NodeType.Directory, engineInfo.Type);
    }

    public static TheoryData<string, byte[], int> Refused() => new()
    {
        { "a truncated buffer", ReparseBuffers.Symlink("t")[..19], NtStatus.IoReparseDataInvalid },
        { "a length that disagrees", ReparseBuffers.WithUInt16(ReparseBuffers.Symlink("target"), 4, 40), NtStatus.IoReparseDataInvalid },
        { "a name outside the buffer", ReparseBuffers.WithUInt16(ReparseBuffers.Symlink("target"), 12, 200), NtStatus.IoReparseDataInvalid },
        { "an empty target", ReparseBuffers.Symlink(""), NtStatus.IoReparseDataInvalid },
        { "a junction", ReparseBuffers.Header(ReparseBuffers.MountPointTag, 12), NtStatus.IoReparseTagNotHandled },
        { "a reserved tag", ReparseBuffers.Header(1), NtStatus.IoReparseTagInvalid },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void BadReparseDataIsRefusedWithNothingChanged(string what, byte[] buffer, int expected)
    {
        using var v = new AdapterVolume(StoreKind.Directory);
        var context = v.CreateFile(@"\f");
        int status = v.Adapter.SetReparsePoint(context, @"\f", buffer, 0);
        Assert.True(expected == status, $"{what}: expected {NtStatus.Describe(expected)}, got {NtStatus.Describe(status)}");
        Assert.Equal(0u, Info(v, context).ReparseTag);
        v.Write(context, 0, Text("still a file"));
        v.CloseHandle(context);
        Assert.Equal(Text("still a file"), v.ReadFile(@"\f"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AFileWithDataOrADirectoryWithEntriesIsNotTurnedIntoASymlink(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var file = v.CreateFile(@"\data.bin");
        v.Write(file, 0, Text("precious"));
        Assert.Equal(NtStatus.AccessDenied, v.Adapter.SetReparsePoint(file, @"\data.bin", ReparseBuffers.Symlink("x"), 0));
        v.CloseHandle(file);
        Assert.Equal(Text("precious"), v.ReadFile(@"\data.bin"));

        var directory = v.CreateDirectory(@"\full");
        v.WriteFile(@"\full\child", Text("c"));
        Assert.Equal(NtStatus.DirectoryNotEmpty, v.Adapter.SetReparsePoint(directory, @"\full", ReparseBuffers.Symlink("x"), 0));
        v.CloseHandle(directory);
        Assert.Equal(Text("c"), v.ReadFile(@"\full\child"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void ASmallBufferGetsBufferTooSmallAndIsLeftAlone(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var reparse = ReparseBuffers.Symlink(@"some\target");
        MakeLink(v, @"\l", reparse, directory: false);
        var context = v.Open(@"\l", OpenReparsePoint);
        var small = new byte[reparse.Length - 1];
        Array.Fill(small, (byte)0xEE);
        Assert.Equal(NtStatus.BufferTooSmall, v.Adapter.GetReparsePoint(context, @"\l", small, out int written));
        Assert.Equal(0, written);
        Assert.All(small, b => Assert.Equal(0xEE, b));
        Assert.Equal(reparse, GetReparse(v, context, reparse.Length));
        v.CloseHandle(context);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void ASymlinkCanBeRetargetedAndCreatedDirectlyWithReparseData(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        MakeLink(v, @"\l", ReparseBuffers.Symlink("first"), directory: false);
        var context = v.Open(@"\l", OpenReparsePoint);
        Assert.Equal(NtStatus.Success, v.Adapter.SetReparsePoint(context, @"\l", ReparseBuffers.Symlink("second"), 0));
        Assert.Equal(ReparseBuffers.Symlink("second"), GetReparse(v, context));
        v.CloseHandle(context);

        // CreateEx with the reparse data in the extra buffer (ExtraBufferIsReparsePoint).
        var reparse = ReparseBuffers.Symlink(@"..\x");
        Assert.Equal(NtStatus.Success, v.Adapter.Create(@"\direct", AdapterVolume.FileCreate | CreateOptions.DirectoryFile, 0x1F01FF,
            FileAttributeBits.Directory, [], 0, reparse, true, out var created, out var info, out string? normalized));
        Assert.Equal(FileAttributeBits.ReparsePoint | FileAttributeBits.Directory, info.FileAttributes);
        Assert.Equal(@"\direct", normalized);
        Assert.Equal(reparse, GetReparse(v, created!));
        v.CloseHandle(created!);
        Assert.Equal(NtStatus.IoReparseTagNotHandled, v.Adapter.Create(@"\junction", AdapterVolume.FileCreate, 0x1F01FF, 0, [], 0,
            ReparseBuffers.Header(ReparseBuffers.MountPointTag, 12), true, out _, out _, out _));
        Assert.False(v.Exists(@"\junction"));
    }

    private static Dictionary<string, FspFileInfo> ListWithInfo(AdapterVolume v, string directory)
    {
        var context = v.Open(directory, CreateOptions.DirectoryFile);
        try
        {
            using var buffer = new NativeBuffer(64 * 1024);
            uint transferred = 0;
            var writer = new DirectoryBufferWriter(buffer.Pointer, 64 * 1024, &transferred);
            Assert.Equal(NtStatus.Success, v.Adapter.ReadDirectory(context, null, null, writer));
            var (entries, ended) = DirBufferParser.Parse(buffer.Pointer, transferred);
            Assert.True(ended);
            return entries.ToDictionary(e => e.Name, e => e.Info);
        }
        finally
        {
            v.CloseHandle(context);
        }
    }
}
