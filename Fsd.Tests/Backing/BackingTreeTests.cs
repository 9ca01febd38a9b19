using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

[Trait("Area", "Engine")]
public sealed class BackingTreeTests
{
    private static InMemoryBackingStore Build(string content, bool link = true, byte xattr = 1)
    {
        var store = new InMemoryBackingStore();
        store.CreateDirectory("d");
        using (var file = store.OpenFile("d/f", BackingOpenMode.CreateNew)) { file.Write(0, System.Text.Encoding.ASCII.GetBytes(content)); }
        if (link)
        {
            store.CreateHardLink("d/f", "g");
        }
        store.SetXattr("d", "k", [xattr]);
        return store;
    }

    [Fact]
    public void Equal_stores_give_equal_trees_whatever_their_inode_numbers()
    {
        var other = new InMemoryBackingStore();
        other.CreateDirectory("unrelated"); // shifts every later inode number
        other.DeleteDirectory("unrelated");
        other.CreateDirectory("d");
        using (var file = other.OpenFile("d/f", BackingOpenMode.CreateNew)) { file.Write(0, "abc"u8); }
        other.CreateHardLink("d/f", "g");
        other.SetXattr("d", "k", [1]);
        Assert.NotEqual(Build("abc").TryGetEntry("g")!.Inode, other.TryGetEntry("g")!.Inode);
        Assert.Equal(BackingTree.Capture(Build("abc")), BackingTree.Capture(other));
    }

    [Fact]
    public void Content_links_and_xattrs_all_count()
    {
        var reference = BackingTree.Capture(Build("abc"));
        Assert.NotEqual(reference, BackingTree.Capture(Build("abd")));
        Assert.NotEqual(reference, BackingTree.Capture(Build("abc", xattr: 2)));
        var copied = Build("abc", link: false);
        using (var file = copied.OpenFile("g", BackingOpenMode.CreateNew)) { file.Write(0, "abc"u8); }
        Assert.NotEqual(reference, BackingTree.Capture(copied)); // same bytes, but not a hard link
        Assert.Equal(["dir  d", "file d/f", "file g"], reference.Lines.Select(l => l.Split(" mode=")[0]));
        Assert.EndsWith("xattr:k=01", reference.Lines[0]);
    }
}

[Trait("Area", "Engine")]
public sealed class BackingPathTests
{
    [Theory]
    [InlineData("a/b/c", "a/b", "c")]
    [InlineData("a", "", "a")]
    public void Parent_and_name(string path, string parent, string name)
    {
        Assert.Equal(parent, BackingPath.Parent(path));
        Assert.Equal(name, BackingPath.Name(path));
        Assert.Equal(path, BackingPath.Combine(parent, name));
    }

    [Theory]
    [InlineData("a/b", "a", true)]
    [InlineData("a", "a", true)]
    [InlineData("ab", "a", false)]
    [InlineData("a", "a/b", false)]
    [InlineData("x", "", true)]
    public void Same_or_below(string path, string ancestor, bool expected) =>
        Assert.Equal(expected, BackingPath.IsSameOrBelow(path, ancestor));

    [Fact]
    public void Valid_paths_pass()
    {
        BackingPath.Validate("");
        BackingPath.Validate("a/b.c/..d/.e");
        var e = Assert.Throws<BackingStoreException>(() => BackingPath.ValidateNotRoot("", "delete"));
        Assert.Equal(BackingError.NameInvalid, e.Error);
    }
}
