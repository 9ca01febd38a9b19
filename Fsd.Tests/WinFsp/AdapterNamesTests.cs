using System.Text;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>Rename, directory listing with markers and lookup by name through the adapter.</summary>
[Trait("Area", "WinFsp")]
public sealed class AdapterNamesTests
{
    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void RenameOntoAnOpenTargetCollidesWithoutReplaceAndReplacesWithIt(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.WriteFile(@"\src", Text("new"));
        v.WriteFile(@"\dst", Text("old"));
        var target = v.Open(@"\dst");
        var source = v.Open(@"\src");

        Assert.Equal(NtStatus.ObjectNameCollision, v.Adapter.Rename(source, @"\src", @"\dst", false));
        Assert.Equal(Text("new"), v.ReadFile(@"\src"));
        Assert.Equal(Text("old"), v.ReadFile(@"\dst"));

        // What reaches the adapter is a rename WinFsp allowed (POSIX semantics): the open target keeps its data.
        Assert.Equal(NtStatus.Success, v.Adapter.Rename(source, @"\src", @"\DST", true));
        Assert.False(v.Exists(@"\src"));
        Assert.Equal(Text("new"), v.ReadFile(@"\dst"));
        Assert.Equal(Text("old"), v.ReadAll(target));
        v.CloseHandle(target);
        v.CloseHandle(source);
        v.Remount();
        Assert.Equal(Text("new"), v.ReadFile(@"\dst"));
        Assert.Equal(["dst"], v.List(@"\", 4096, out _));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void ADirectoryIsNeverReplacedAndTheRenamedHandleFollowsItsFile(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.CloseHandle(v.CreateDirectory(@"\emptydir"));
        v.WriteFile(@"\file", Text("x"));
        var file = v.Open(@"\file");
        Assert.Equal(NtStatus.AccessDenied, v.Adapter.Rename(file, @"\file", @"\emptydir", true));

        Assert.Equal(NtStatus.Success, v.Adapter.Rename(file, @"\file", @"\emptydir\moved", false));
        // WinFsp may pass a stale name; the adapter renames the file the handle is open on.
        Assert.Equal(NtStatus.Success, v.Adapter.Rename(file, @"\FILE", @"\back", false));
        Assert.Equal(Text("x"), v.ReadFile(@"\back"));
        v.CloseHandle(file);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void ARenameThatChangesOnlyTheCaseChangesTheStoredName(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.WriteFile(@"\readme.txt", Text("x"));
        var file = v.Open(@"\readme.txt");
        Assert.Equal(NtStatus.Success, v.Adapter.Rename(file, @"\readme.txt", @"\README.txt", false));
        v.CloseHandle(file);
        Assert.Equal(["README.txt"], v.List(@"\", 4096, out _));
        Assert.Equal(Text("x"), v.ReadFile(@"\readme.TXT"));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void ReadDirectoryResumesFromTheMarkerAcrossManySmallBuffers(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.CloseHandle(v.CreateDirectory(@"\many"));
        var expected = Enumerable.Range(0, 150).Select(i => $"entry-{i:D4}.dat").ToList(); // more than one engine batch
        foreach (var name in expected)
            v.CloseHandle(v.CreateFile(@"\many\" + name));

        // Room for about five entries per call.
        var listed = v.List(@"\many", 5 * 136, out int calls);

        Assert.Equal(new[] { ".", ".." }.Concat(expected.Order(StringComparer.Ordinal)), listed);
        Assert.True(calls > 30, $"expected many calls, got {calls}");
        Assert.Equal(listed, v.List(@"\MANY", 64 * 1024, out int oneCall));
        Assert.Equal(1, oneCall);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public unsafe void ListingEntriesCarrySizesAndTheRootHasNoDotEntries(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.WriteFile(@"\a.bin", new byte[5000]);
        v.CloseHandle(v.CreateDirectory(@"\sub"));
        var root = v.Open(@"\", CreateOptions.DirectoryFile);
        using var buffer = new NativeBuffer(4096);
        uint transferred = 0;
        var writer = new Managed.DirectoryBufferWriter(buffer.Pointer, 4096, &transferred);
        Assert.Equal(NtStatus.Success, v.Adapter.ReadDirectory(root, null, null, writer));
        var (entries, ended) = DirBufferParser.Parse(buffer.Pointer, transferred);
        Assert.True(ended);
        Assert.Equal(["a.bin", "sub"], entries.Select(e => e.Name));
        Assert.Equal(5000ul, entries[0].Info.FileSize);
        Assert.Equal(FileAttributeBits.Directory, entries[1].Info.FileAttributes & FileAttributeBits.Directory);
        v.CloseHandle(root);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void GetDirInfoByNameReturnsTheComponentWithItsStoredCase(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        v.CloseHandle(v.CreateDirectory(@"\Dir"));
        v.WriteFile(@"\Dir\MixedCase.Txt", Text("abc"));
        var dir = v.Open(@"\dir", CreateOptions.DirectoryFile);
        Assert.Equal(NtStatus.Success, v.Adapter.GetDirInfoByName(dir, "mixedcase.txt", out var realName, out var info));
        Assert.Equal("MixedCase.Txt", realName);
        Assert.Equal(3ul, info.FileSize);
        Assert.Equal(NtStatus.ObjectNameNotFound, v.Adapter.GetDirInfoByName(dir, "absent", out _, out _));
        v.CloseHandle(dir);
    }
}
