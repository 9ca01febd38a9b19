using System.Text;
using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

[Trait("Area", "Engine")]
public class InMemoryBackingStoreTests : BackingStoreContractTests
{
    protected override IBackingStore CreateStore() => new InMemoryBackingStore();

    [Fact]
    public void Steady_state_file_io_allocates_nothing() => AssertSteadyStateFileIoAllocatesNothing();

    [Fact]
    public void SyncAll_makes_every_completed_change_durable_and_nothing_after_it()
    {
        var store = new InMemoryBackingStore();
        store.CreateDirectory("d");
        store.CreateDirectory("d/e");
        using (var file = store.OpenFile("d/e/f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "data"u8);
        }
        store.CreateHardLink("d/e/f", "g");
        store.Rename("d/e/f", "d/f2", replace: false);
        store.SetXattr("g", "k", "v"u8);
        store.SetMode("d", UnixMode.UserRead | UnixMode.UserWrite | UnixMode.UserExecute);
        Assert.Empty(store.CloneDurableState().ListDirectory("")); // nothing synced: a power cut leaves nothing

        Assert.True(store.CanSyncAll);
        store.SyncAll();
        var durable = store.CloneDurableState();
        Assert.Equal(BackingTree.Capture(store), BackingTree.Capture(durable));

        using (var file = store.OpenFile("g", BackingOpenMode.OpenReadWrite))
        {
            file.Write(4, "more"u8);
        }
        store.DeleteFile("d/f2");
        store.RemoveXattr("g", "k");
        var cut = store.CloneDurableState();
        Assert.Equal(BackingTree.Capture(durable), BackingTree.Capture(cut));
        using var survivor = cut.OpenFile("d/f2", BackingOpenMode.OpenRead);
        Assert.Equal(4, survivor.Length);
    }

    [Fact]
    public void Clock_sets_every_time()
    {
        var now = new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var store = new InMemoryBackingStore(new InMemoryStoreOptions { Clock = () => now });
        using var file = store.OpenFile("f", BackingOpenMode.CreateNew);
        var created = store.TryGetEntry("f")!;
        Assert.Equal(now, created.LastAccessUtc);
        Assert.Equal(now, created.LastWriteUtc);
        Assert.Equal(now, created.ChangeUtc);

        now = now.AddHours(1);
        file.Write(0, "x"u8);
        var written = store.TryGetEntry("f")!;
        Assert.Equal(now, written.LastWriteUtc);
        Assert.Equal(now, written.ChangeUtc);
        Assert.Equal(created.LastAccessUtc, written.LastAccessUtc);
        Assert.Equal(now.AddHours(-1), store.TryGetEntry("")!.LastWriteUtc);

        now = now.AddHours(1);
        store.SetMode("f", UnixMode.UserRead);
        var changed = store.TryGetEntry("f")!;
        Assert.Equal(now, changed.ChangeUtc);
        Assert.Equal(now.AddHours(-1), changed.LastWriteUtc);

        now = now.AddHours(1);
        store.CreateDirectory("d");
        Assert.Equal(now, store.TryGetEntry("")!.LastWriteUtc);
    }

    [Fact]
    public void Capacity_refuses_growth_with_no_space_and_keeps_data()
    {
        var store = new InMemoryBackingStore(new InMemoryStoreOptions { CapacityBytes = 100 });
        using var file = store.OpenFile("f", BackingOpenMode.CreateNew);
        file.Write(0, new byte[60]);
        Assert.Equal(40, store.GetStatistics().FreeBytes);
        Assert.Equal(100, store.GetStatistics().TotalBytes);

        using var other = store.OpenFile("g", BackingOpenMode.CreateNew);
        var e = Assert.Throws<BackingStoreException>(() => other.Write(0, new byte[41]));
        Assert.Equal(BackingError.NoSpace, e.Error);
        Assert.Equal("g", e.StorePath);
        Assert.Equal(0, other.Length);
        Assert.Equal(BackingError.NoSpace, Assert.Throws<BackingStoreException>(() => file.SetLength(101)).Error);
        Assert.Equal(60, file.Length);

        // Overwrites inside the file need no space.
        file.Write(0, new byte[60]);
        other.Write(0, new byte[40]);
        Assert.Equal(0, store.GetStatistics().FreeBytes);

        file.SetLength(10);
        Assert.Equal(50, store.GetStatistics().FreeBytes);
    }

    [Fact]
    public void Space_of_an_unlinked_file_returns_at_last_close()
    {
        var store = new InMemoryBackingStore(new InMemoryStoreOptions { CapacityBytes = 1000 });
        var file = store.OpenFile("f", BackingOpenMode.CreateNew);
        file.Write(0, new byte[300]);
        store.CreateHardLink("f", "g");
        store.DeleteFile("f");
        Assert.Equal(700, store.GetStatistics().FreeBytes);
        store.DeleteFile("g");
        Assert.Equal(700, store.GetStatistics().FreeBytes);
        file.Dispose();
        Assert.Equal(1000, store.GetStatistics().FreeBytes);
        file.Dispose();
        Assert.Equal(1000, store.GetStatistics().FreeBytes);
    }

    [Fact]
    public void Replacing_rename_frees_the_replaced_file()
    {
        var store = new InMemoryBackingStore(new InMemoryStoreOptions { CapacityBytes = 1000 });
        using (var f = store.OpenFile("a", BackingOpenMode.CreateNew)) { f.Write(0, new byte[100]); }
        using (var f = store.OpenFile("b", BackingOpenMode.CreateNew)) { f.Write(0, new byte[200]); }
        store.Rename("a", "b", replace: true);
        Assert.Equal(900, store.GetStatistics().FreeBytes);
    }

    [Fact]
    public void Configured_name_rules_refuse_names()
    {
        var store = new InMemoryBackingStore(new InMemoryStoreOptions
        {
            MaxNameLength = 8,
            ForbiddenNameCharacters = new HashSet<char> { ':', '*' },
        });
        store.CreateDirectory("12345678");
        AssertError(BackingError.NameTooLong, "123456789", () => store.CreateDirectory("123456789"));
        AssertError(BackingError.NameTooLong, "12345678/éééé1", () => store.OpenFile("12345678/éééé1", BackingOpenMode.CreateNew));
        AssertError(BackingError.NameInvalid, "a:b", () => store.OpenFile("a:b", BackingOpenMode.CreateNew));
        AssertError(BackingError.NameInvalid, "x*", () => store.Rename("12345678", "x*", replace: false));
        AssertError(BackingError.NameInvalid, "12345678/:", () => store.TryGetEntry("12345678/:"));
        Assert.Equal("12345678", Assert.Single(store.ListDirectory("")).Name);
    }

    [Fact]
    public void Oversized_xattr_value_is_no_space()
    {
        var store = new InMemoryBackingStore(new InMemoryStoreOptions { MaxXattrValueLength = 4 });
        store.CreateDirectory("d");
        store.SetXattr("d", "a", new byte[4]);
        AssertError(BackingError.NoSpace, "d", () => store.SetXattr("d", "a", new byte[5]));
        Assert.Equal(4, store.GetXattr("d", "a")!.Length);
    }

    [Fact]
    public void Closed_handle_refuses_use()
    {
        var file = Store.OpenFile("f", BackingOpenMode.CreateNew);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Write(0, "x"u8));
        Assert.Throws<ObjectDisposedException>(() => file.Read(0, new byte[1]));
    }

    [Fact]
    public void Directory_link_count_follows_subdirectories()
    {
        Store.CreateDirectory("d");
        Assert.Equal(2, Store.TryGetEntry("d")!.LinkCount);
        Store.CreateDirectory("d/a");
        Store.CreateDirectory("d/b");
        WriteFile("d/f", "");
        Assert.Equal(4, Store.TryGetEntry("d")!.LinkCount);
        Store.Rename("d/a", "a", replace: false);
        Assert.Equal(3, Store.TryGetEntry("d")!.LinkCount);
    }

    private static void AssertError(BackingError error, string path, Action action)
    {
        var e = Assert.Throws<BackingStoreException>(action);
        Assert.Equal(error, e.Error);
        Assert.Equal(path, e.StorePath);
    }
}

/// <summary>The durability model of <see cref="InMemoryBackingStore.CloneDurableState"/>.</summary>
[Trait("Area", "Engine")]
public class InMemoryDurabilityTests
{
    private readonly InMemoryBackingStore _store = new();

    private static string? Content(IBackingStore store, string path)
    {
        if (store.TryGetEntry(path) is null)
        {
            return null;
        }
        using var file = store.OpenFile(path, BackingOpenMode.OpenRead);
        var buffer = new byte[file.Length];
        file.Read(0, buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    private IBackingFile Create(string path, string content)
    {
        var file = _store.OpenFile(path, BackingOpenMode.CreateNew);
        file.Write(0, Encoding.UTF8.GetBytes(content));
        return file;
    }

    [Fact]
    public void Nothing_synced_leaves_an_empty_root()
    {
        _store.CreateDirectory("d");
        using var f = Create("f", "data");
        f.Flush();
        var crashed = _store.CloneDurableState();
        Assert.Empty(crashed.ListDirectory(""));
    }

    [Fact]
    public void Synced_name_without_flushed_data_is_an_empty_file()
    {
        using var f = Create("f", "data");
        _store.SyncDirectory("");
        Assert.Equal("", Content(_store.CloneDurableState(), "f"));
        f.Flush();
        Assert.Equal("data", Content(_store.CloneDurableState(), "f"));
    }

    [Fact]
    public void Writes_after_the_last_flush_are_lost()
    {
        using var f = Create("f", "first");
        f.Flush();
        _store.SyncDirectory("");
        f.Write(0, "FIRST-and-more"u8);
        f.SetLength(3);
        Assert.Equal("FIR", Content(_store, "f"));
        Assert.Equal("first", Content(_store.CloneDurableState(), "f"));
    }

    [Fact]
    public void Unsynced_rename_and_unlink_are_undone()
    {
        using (var f = Create("a", "A")) { f.Flush(); }
        using (var f = Create("b", "B")) { f.Flush(); }
        _store.SyncDirectory("");
        _store.Rename("a", "c", replace: false);
        _store.DeleteFile("b");
        var crashed = _store.CloneDurableState();
        Assert.Equal(["a", "b"], crashed.ListDirectory("").Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("A", Content(crashed, "a"));
        Assert.Equal("B", Content(crashed, "b"));

        _store.SyncDirectory("");
        crashed = _store.CloneDurableState();
        Assert.Equal("c", Assert.Single(crashed.ListDirectory("")).Name);
        Assert.Equal("A", Content(crashed, "c"));
    }

    [Fact]
    public void Cross_directory_rename_is_durable_per_directory()
    {
        _store.CreateDirectory("x");
        _store.CreateDirectory("y");
        using (var f = Create("x/f", "F")) { f.Flush(); }
        _store.SyncDirectory("x");
        _store.SyncDirectory("y");
        _store.SyncDirectory("");
        _store.Rename("x/f", "y/f", replace: false);

        _store.SyncDirectory("y");
        var both = _store.CloneDurableState();
        Assert.NotNull(both.TryGetEntry("x/f"));
        Assert.NotNull(both.TryGetEntry("y/f"));
        Assert.Equal(2, both.TryGetEntry("y/f")!.LinkCount);
        Assert.Equal(both.TryGetEntry("x/f")!.Inode, both.TryGetEntry("y/f")!.Inode);

        _store.SyncDirectory("x");
        var moved = _store.CloneDurableState();
        Assert.Null(moved.TryGetEntry("x/f"));
        Assert.Equal(1, moved.TryGetEntry("y/f")!.LinkCount);
    }

    [Fact]
    public void New_directory_needs_its_parent_synced_and_its_own_entries_synced()
    {
        _store.CreateDirectory("d");
        using (var f = Create("d/f", "F")) { f.Flush(); }
        _store.SyncDirectory("");
        var crashed = _store.CloneDurableState();
        Assert.NotNull(crashed.TryGetEntry("d"));
        Assert.Empty(crashed.ListDirectory("d"));
        _store.SyncDirectory("d");
        Assert.Equal("F", Content(_store.CloneDurableState(), "d/f"));
    }

    [Fact]
    public void Attributes_are_those_of_the_last_durability_point()
    {
        using var f = Create("f", "x");
        _store.SetXattr("f", "k", [1]);
        _store.SetMode("f", UnixMode.UserRead);
        f.Flush();
        _store.SyncDirectory("");
        _store.SetMode("f", UnixMode.UserRead | UnixMode.UserWrite);
        _store.SetXattr("f", "k", [2]);
        _store.SetXattr("f", "other", [3]);
        var crashed = _store.CloneDurableState();
        Assert.Equal(UnixMode.UserRead, crashed.TryGetEntry("f")!.Mode);
        Assert.Equal([1], crashed.GetXattr("f", "k")!);
        Assert.Null(crashed.GetXattr("f", "other"));
    }

    [Fact]
    public void Hard_links_and_inodes_survive_together()
    {
        using (var f = Create("a", "shared")) { f.Flush(); }
        _store.CreateHardLink("a", "b");
        _store.SyncDirectory("");
        var crashed = _store.CloneDurableState();
        var a = crashed.TryGetEntry("a")!;
        var b = crashed.TryGetEntry("b")!;
        Assert.Equal(_store.TryGetEntry("a")!.Inode, a.Inode);
        Assert.Equal(a.Inode, b.Inode);
        Assert.Equal(2, a.LinkCount);
        using (var w = crashed.OpenFile("a", BackingOpenMode.OpenReadWrite)) { w.Write(0, "S"u8); }
        Assert.Equal("Shared", Content(crashed, "b"));
        // New inodes in the clone do not collide with surviving ones.
        using var fresh = crashed.OpenFile("c", BackingOpenMode.CreateNew);
        Assert.NotEqual(a.Inode, crashed.TryGetEntry("c")!.Inode);
    }

    [Fact]
    public void Clone_of_a_clone_is_the_same_state()
    {
        _store.CreateDirectory("d");
        using (var f = Create("d/f", "F")) { f.Flush(); }
        _store.SyncDirectory("d");
        _store.SyncDirectory("");
        var once = _store.CloneDurableState();
        var twice = once.CloneDurableState();
        Assert.Equal("F", Content(twice, "d/f"));
        Assert.Equal(BackingTree.Capture(once), BackingTree.Capture(twice));
    }

    [Fact]
    public void Directory_reachable_twice_keeps_one_name()
    {
        // root{a}, a{b} durable; then a/b -> b and a -> b/a, and only b synced: durable state has a cycle.
        _store.CreateDirectory("a");
        _store.CreateDirectory("a/b");
        _store.SyncDirectory("");
        _store.SyncDirectory("a");
        _store.Rename("a/b", "b", replace: false);
        _store.Rename("a", "b/a", replace: false);
        _store.SyncDirectory("b");
        var crashed = _store.CloneDurableState();
        Assert.NotNull(crashed.TryGetEntry("a"));
        Assert.NotNull(crashed.TryGetEntry("a/b"));
        Assert.Empty(crashed.ListDirectory("a/b"));
    }
}
