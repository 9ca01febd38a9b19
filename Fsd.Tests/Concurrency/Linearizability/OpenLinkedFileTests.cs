using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// Found by the linearizability checker (file sizes went back to an older state): removing one name of an open file
/// that has another name (unlink, or a rename replacing it) must not treat the file as unlinked. The last close of
/// an orphan frees the node without writing its header, which is right only when no name is left; with another
/// name left, that name then showed the stale header (size 0) and the file's data was lost.
/// </summary>
[Trait("Area", "Engine")]
public class OpenLinkedFileTests
{
    private static readonly byte[] Data = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();

    private static FileHandle CreateWithData(RaceVolume rv, string name)
    {
        var h = rv.Open(name, CreateDisposition.Create);
        Assert.Equal(FsStatus.Success, rv.Volume.Write(h, 0, Data, WriteMode.AtOffset, out _, out _));
        return h;
    }

    private static void AssertKeepsData(RaceVolume rv, string name)
    {
        Assert.Equal(FsStatus.Success, rv.Volume.GetInfo(name, out var info));
        Assert.Equal(Data.Length, info.EndOfFile);
        Assert.Equal(Data, RaceVolume.ReadFile(rv.Volume, name));
        Assert.Equal(0, rv.OrphanCount());
        rv.RemountContents();
        Assert.Equal(Data, RaceVolume.ReadFile(rv.Volume, name));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void UnlinkingOneNameOfAnOpenFileKeepsItsOtherName(StoreKind store)
    {
        using var rv = new RaceVolume(store);
        var h = CreateWithData(rv, "a");
        Assert.Equal(FsStatus.Success, rv.Volume.Link("a", "b", out _));
        Assert.Equal(FsStatus.Success, rv.Volume.Unlink("a"));
        rv.Volume.Release(h);
        AssertKeepsData(rv, "b");
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void RenamingOverOneNameOfAnOpenFileKeepsItsOtherName(StoreKind store)
    {
        using var rv = new RaceVolume(store);
        var h = CreateWithData(rv, "a");
        Assert.Equal(FsStatus.Success, rv.Volume.Link("a", "b", out _));
        rv.Volume.Release(rv.Open("c", CreateDisposition.Create));
        Assert.Equal(FsStatus.Success, rv.Volume.Rename("c", "a", RenameFlags.Replace));
        rv.Volume.Release(h);
        AssertKeepsData(rv, "b");
    }
}
