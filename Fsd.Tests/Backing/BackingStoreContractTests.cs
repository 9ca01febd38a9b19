using System.Text;
using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

/// <summary>
/// The behaviour every <see cref="IBackingStore"/> must share. Each concrete subclass runs all of it
/// against one store implementation (real folder, memory, and the recorder over each).
/// </summary>
public abstract class BackingStoreContractTests : IDisposable
{
    protected BackingStoreContractTests()
    {
        Store = CreateStore();
    }

    protected IBackingStore Store { get; }

    /// <summary>A fresh, empty store.</summary>
    protected abstract IBackingStore CreateStore();

    /// <summary>Whether owners other than the current ones can be set (needs root on a real folder).</summary>
    protected virtual bool CanChangeOwner => true;

    public virtual void Dispose()
    {
        Store.Dispose();
        GC.SuppressFinalize(this);
    }

    protected void WriteFile(string path, string content)
    {
        using var file = Store.OpenFile(path, BackingOpenMode.CreateNew);
        file.Write(0, Encoding.UTF8.GetBytes(content));
    }

    protected string ReadFile(string path)
    {
        using var file = Store.OpenFile(path, BackingOpenMode.OpenRead);
        var buffer = new byte[file.Length];
        var read = file.Read(0, buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    protected byte[] RequiredXattr(string path, string name)
    {
        var value = Store.GetXattr(path, name);
        Assert.NotNull(value);
        return value;
    }

    /// <summary>pread/pwrite/fsync/length on an open file must not allocate once warmed up (the engine's
    /// chunk I/O runs through them). Not part of the shared suite: the recorder copies every write by design.</summary>
    protected void AssertSteadyStateFileIoAllocatesNothing()
    {
        using var file = Store.OpenFile("hot", BackingOpenMode.CreateNew);
        var block = new byte[4096];
        var check = new byte[4096];
        void Cycle(int i)
        {
            file.Write(i * 4096L, block);
            file.Read(i * 4096L, check);
            _ = file.Length;
        }
        for (var i = 0; i < 16; i++)
        {
            Cycle(i);
        }
        file.Flush();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 16; i++)
        {
            Cycle(i);
        }
        file.Flush();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    protected static void AssertFails(BackingError error, string path, Action action)
    {
        var e = Assert.Throws<BackingStoreException>(action);
        Assert.Equal(error, e.Error);
        Assert.Equal(path, e.StorePath);
        Assert.Contains($"'{path}'", e.Message);
    }

    [Fact]
    public void SyncAll_is_offered_on_linux_and_changes_nothing_visible()
    {
        Store.CreateDirectory("d");
        WriteFile("d/f", "content");
        Store.CreateHardLink("d/f", "g");
        Store.SetXattr("g", "k", "v"u8);
        var before = BackingTree.Capture(Store);
        // Every store here can (the directory store through syncfs, which only Linux has); the recorder forwards.
        var store = Store is RecordingBackingStore recorder ? recorder.Inner : Store;
        Assert.Equal(OperatingSystem.IsLinux() || store is not DirectoryBackingStore, Store.CanSyncAll);
        Store.SyncAll();
        Store.SyncAll();
        Assert.Equal(before, BackingTree.Capture(Store));
        Assert.Equal("content", ReadFile("g"));
    }

    [Fact]
    public void Root_exists_as_an_empty_directory()
    {
        var root = Store.TryGetEntry("");
        Assert.NotNull(root);
        Assert.Equal(BackingEntryKind.Directory, root.Kind);
        Assert.Empty(Store.ListDirectory(""));
        Assert.False(string.IsNullOrEmpty(Store.Location));
    }

    [Fact]
    public void Created_file_reads_back_and_appears_in_listing()
    {
        Store.CreateDirectory("d");
        WriteFile("d/f", "hello");
        Assert.Equal("hello", ReadFile("d/f"));

        var entry = Store.TryGetEntry("d/f");
        Assert.NotNull(entry);
        Assert.Equal("f", entry.Name);
        Assert.Equal(BackingEntryKind.File, entry.Kind);
        Assert.Equal(5, entry.Length);
        Assert.Equal(1, entry.LinkCount);

        var listing = Store.ListDirectory("d");
        Assert.Equal("f", Assert.Single(listing).Name);
        Assert.Equal(entry.Inode, listing[0].Inode);
        Assert.Equal("d", Assert.Single(Store.ListDirectory("")).Name);
    }

    [Fact]
    public void Missing_entry_is_null()
    {
        Assert.Null(Store.TryGetEntry("nothing"));
        Assert.Null(Store.TryGetEntry("no/such/dir"));
    }

    [Fact]
    public void Create_new_over_anything_fails_with_already_exists()
    {
        WriteFile("f", "x");
        Store.CreateDirectory("d");
        AssertFails(BackingError.AlreadyExists, "f", () => Store.OpenFile("f", BackingOpenMode.CreateNew));
        AssertFails(BackingError.AlreadyExists, "d", () => Store.OpenFile("d", BackingOpenMode.CreateNew));
        AssertFails(BackingError.AlreadyExists, "d", () => Store.CreateDirectory("d"));
        AssertFails(BackingError.AlreadyExists, "f", () => Store.CreateDirectory("f"));
        Assert.Equal("x", ReadFile("f"));
    }

    [Fact]
    public void Opening_errors_name_the_path()
    {
        Store.CreateDirectory("d");
        WriteFile("f", "x");
        AssertFails(BackingError.NotFound, "missing", () => Store.OpenFile("missing", BackingOpenMode.OpenRead));
        AssertFails(BackingError.NotFound, "no/f", () => Store.OpenFile("no/f", BackingOpenMode.CreateNew));
        AssertFails(BackingError.IsADirectory, "d", () => Store.OpenFile("d", BackingOpenMode.OpenRead));
        AssertFails(BackingError.IsADirectory, "d", () => Store.OpenFile("d", BackingOpenMode.OpenReadWrite));
        AssertFails(BackingError.NotADirectory, "f/g", () => Store.OpenFile("f/g", BackingOpenMode.CreateNew));
        AssertFails(BackingError.NotFound, "no/d", () => Store.CreateDirectory("no/d"));
        AssertFails(BackingError.NotFound, "missing", () => Store.ListDirectory("missing"));
        AssertFails(BackingError.NotADirectory, "f", () => Store.ListDirectory("f"));
    }

    [Theory]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("../up")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData(".")]
    [InlineData("nul\0char")]
    public void Malformed_paths_are_refused_with_name_invalid(string path)
    {
        AssertFails(BackingError.NameInvalid, path, () => Store.TryGetEntry(path));
        AssertFails(BackingError.NameInvalid, path, () => Store.OpenFile(path, BackingOpenMode.CreateNew));
        AssertFails(BackingError.NameInvalid, path, () => Store.CreateDirectory(path));
        AssertFails(BackingError.NameInvalid, path, () => Store.DeleteFile(path));
        AssertFails(BackingError.NameInvalid, path, () => Store.Rename(path, "x", true));
        Assert.Empty(Store.ListDirectory(""));
    }

    [Fact]
    public void Root_cannot_be_deleted_renamed_or_opened()
    {
        AssertFails(BackingError.NameInvalid, "", () => Store.DeleteDirectory(""));
        AssertFails(BackingError.NameInvalid, "", () => Store.Rename("", "x", false));
        AssertFails(BackingError.IsADirectory, "", () => Store.OpenFile("", BackingOpenMode.OpenRead));
        AssertFails(BackingError.AlreadyExists, "", () => Store.CreateDirectory(""));
        Assert.NotNull(Store.TryGetEntry(""));
    }

    [Fact]
    public void Long_name_is_refused_with_name_too_long()
    {
        var name = new string('n', 300);
        AssertFails(BackingError.NameTooLong, name, () => Store.OpenFile(name, BackingOpenMode.CreateNew));
        AssertFails(BackingError.NameTooLong, name, () => Store.CreateDirectory(name));
    }

    [Fact]
    public void Write_extends_read_past_end_returns_short_and_set_length_truncates_and_zero_fills()
    {
        using var file = Store.OpenFile("f", BackingOpenMode.CreateNew);
        file.Write(10, "abc"u8);
        Assert.Equal(13, file.Length);
        var buffer = new byte[20];
        Assert.Equal(13, file.Read(0, buffer));
        Assert.All(buffer[..10], b => Assert.Equal(0, b));
        Assert.Equal("abc"u8.ToArray(), buffer[10..13]);
        Assert.Equal(0, file.Read(13, buffer));
        Assert.Equal(0, file.Read(100, buffer));

        file.SetLength(11);
        Assert.Equal(11, file.Length);
        file.SetLength(15);
        Assert.Equal(15, file.Length);
        Assert.Equal(15, file.Read(0, buffer));
        Assert.Equal((byte)'a', buffer[10]);
        Assert.All(buffer[11..15], b => Assert.Equal(0, b));
        file.Flush();
        Assert.Equal(15, Store.TryGetEntry("f")!.Length);
    }

    [Fact]
    public void Read_only_handle_refuses_writes()
    {
        WriteFile("f", "data");
        using var file = Store.OpenFile("f", BackingOpenMode.OpenRead);
        AssertFails(BackingError.AccessDenied, "f", () => file.Write(0, "x"u8));
        AssertFails(BackingError.AccessDenied, "f", () => file.SetLength(0));
        Assert.Equal("data", ReadFile("f"));
    }

    [Fact]
    public void Open_read_write_keeps_content()
    {
        WriteFile("f", "hello");
        using (var file = Store.OpenFile("f", BackingOpenMode.OpenReadWrite))
        {
            Assert.Equal(5, file.Length);
            file.Write(0, "J"u8);
        }
        Assert.Equal("Jello", ReadFile("f"));
    }

    [Fact]
    public void Delete_file_and_directory_rules()
    {
        Store.CreateDirectory("d");
        WriteFile("d/f", "x");
        AssertFails(BackingError.NotEmpty, "d", () => Store.DeleteDirectory("d"));
        AssertFails(BackingError.IsADirectory, "d", () => Store.DeleteFile("d"));
        AssertFails(BackingError.NotADirectory, "d/f", () => Store.DeleteDirectory("d/f"));
        AssertFails(BackingError.NotFound, "d/g", () => Store.DeleteFile("d/g"));
        AssertFails(BackingError.NotFound, "e", () => Store.DeleteDirectory("e"));
        Store.DeleteFile("d/f");
        Assert.Null(Store.TryGetEntry("d/f"));
        Store.DeleteDirectory("d");
        Assert.Null(Store.TryGetEntry("d"));
    }

    [Fact]
    public void Rename_moves_across_directories_keeping_identity()
    {
        Store.CreateDirectory("a");
        Store.CreateDirectory("b");
        WriteFile("a/f", "content");
        var inode = Store.TryGetEntry("a/f")!.Inode;
        Store.Rename("a/f", "b/g", replace: false);
        Assert.Null(Store.TryGetEntry("a/f"));
        Assert.Equal(inode, Store.TryGetEntry("b/g")!.Inode);
        Assert.Equal("content", ReadFile("b/g"));

        Store.Rename("b", "a/b", replace: false);
        Assert.Equal("content", ReadFile("a/b/g"));
    }

    [Fact]
    public void Rename_replace_file_over_file()
    {
        WriteFile("x", "new");
        WriteFile("y", "old");
        var inode = Store.TryGetEntry("x")!.Inode;
        Store.Rename("x", "y", replace: true);
        Assert.Null(Store.TryGetEntry("x"));
        Assert.Equal(inode, Store.TryGetEntry("y")!.Inode);
        Assert.Equal("new", ReadFile("y"));
    }

    [Fact]
    public void Rename_replace_directory_over_empty_directory()
    {
        Store.CreateDirectory("src");
        WriteFile("src/f", "x");
        Store.CreateDirectory("dst");
        Store.Rename("src", "dst", replace: true);
        Assert.Null(Store.TryGetEntry("src"));
        Assert.Equal("x", ReadFile("dst/f"));
    }

    [Fact]
    public void Rename_replace_refusals()
    {
        Store.CreateDirectory("dir");
        Store.CreateDirectory("full");
        WriteFile("full/f", "x");
        WriteFile("file", "y");
        Store.CreateDirectory("empty");

        AssertFails(BackingError.NotEmpty, "full", () => Store.Rename("dir", "full", replace: true));
        AssertFails(BackingError.IsADirectory, "empty", () => Store.Rename("file", "empty", replace: true));
        AssertFails(BackingError.NotADirectory, "file", () => Store.Rename("dir", "file", replace: true));
        AssertFails(BackingError.AlreadyExists, "file", () => Store.Rename("dir", "file", replace: false));
        AssertFails(BackingError.AlreadyExists, "empty", () => Store.Rename("dir", "empty", replace: false));
        AssertFails(BackingError.NotFound, "missing", () => Store.Rename("missing", "other", replace: true));
        AssertFails(BackingError.NameInvalid, "dir/sub", () => Store.Rename("dir", "dir/sub", replace: false));

        Assert.Equal(BackingEntryKind.Directory, Store.TryGetEntry("dir")!.Kind);
        Assert.Equal("x", ReadFile("full/f"));
        Assert.Equal("y", ReadFile("file"));
    }

    [Fact]
    public void Rename_onto_another_link_of_the_same_file_changes_nothing()
    {
        WriteFile("a", "x");
        Store.CreateHardLink("a", "b");
        Store.Rename("a", "b", replace: true);
        Assert.NotNull(Store.TryGetEntry("a"));
        Assert.NotNull(Store.TryGetEntry("b"));
        Assert.Equal(2, Store.TryGetEntry("a")!.LinkCount);
    }

    [Fact]
    public void Hard_links_share_inode_and_count()
    {
        WriteFile("a", "shared");
        Store.CreateDirectory("d");
        Store.CreateHardLink("a", "d/b");
        var a = Store.TryGetEntry("a")!;
        var b = Store.TryGetEntry("d/b")!;
        Assert.Equal(a.Inode, b.Inode);
        Assert.Equal(2, a.LinkCount);
        Assert.Equal(2, b.LinkCount);

        using (var file = Store.OpenFile("d/b", BackingOpenMode.OpenReadWrite))
        {
            file.Write(0, "S"u8);
        }
        Assert.Equal("Shared", ReadFile("a"));

        Store.DeleteFile("a");
        Assert.Equal(1, Store.TryGetEntry("d/b")!.LinkCount);
        Assert.Equal("Shared", ReadFile("d/b"));

        AssertFails(BackingError.IsADirectory, "d", () => Store.CreateHardLink("d", "e"));
        AssertFails(BackingError.NotFound, "a", () => Store.CreateHardLink("a", "c"));
        WriteFile("c", "");
        AssertFails(BackingError.AlreadyExists, "c", () => Store.CreateHardLink("d/b", "c"));
    }

    [Fact]
    public void Unlinked_open_file_keeps_working_until_closed()
    {
        using var file = Store.OpenFile("f", BackingOpenMode.CreateNew);
        file.Write(0, "before"u8);
        Store.DeleteFile("f");
        Assert.Null(Store.TryGetEntry("f"));
        Assert.Empty(Store.ListDirectory(""));

        file.Write(6, "+after"u8);
        Assert.Equal(12, file.Length);
        var buffer = new byte[12];
        Assert.Equal(12, file.Read(0, buffer));
        Assert.Equal("before+after", Encoding.UTF8.GetString(buffer));
        file.Flush();

        // The name is free for a new, different file.
        WriteFile("f", "new");
        Assert.Equal("new", ReadFile("f"));
        Assert.Equal(12, file.Length);
    }

    [Fact]
    public void Renamed_open_file_keeps_working()
    {
        using var file = Store.OpenFile("f", BackingOpenMode.CreateNew);
        Store.Rename("f", "g", replace: false);
        file.Write(0, "moved"u8);
        Assert.Equal("moved", ReadFile("g"));
    }

    [Fact]
    public void Concurrent_positional_reads_and_writes_do_not_interfere()
    {
        const int threads = 4, blocks = 64, blockSize = 512;
        using var file = Store.OpenFile("f", BackingOpenMode.CreateNew);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var block = new byte[blockSize];
            var check = new byte[blockSize];
            for (var i = t; i < blocks; i += threads)
            {
                Array.Fill(block, (byte)(i + 1));
                file.Write((long)i * blockSize, block);
                Assert.Equal(blockSize, file.Read((long)i * blockSize, check));
                Assert.Equal(block, check);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Equal(blocks * blockSize, file.Length);
        var all = new byte[blocks * blockSize];
        Assert.Equal(all.Length, file.Read(0, all));
        for (var i = 0; i < blocks; i++)
        {
            Assert.All(all.AsSpan(i * blockSize, blockSize).ToArray(), b => Assert.Equal((byte)(i + 1), b));
        }
    }

    [Fact]
    public void Mode_is_set_and_read_back()
    {
        WriteFile("f", "x");
        Store.CreateDirectory("d", UnixMode.UserRead | UnixMode.UserWrite | UnixMode.UserExecute | UnixMode.GroupWrite);
        Assert.Equal(UnixMode.UserRead | UnixMode.UserWrite | UnixMode.UserExecute | UnixMode.GroupWrite, Store.TryGetEntry("d")!.Mode);
        Assert.Equal(UnixMode.DefaultFile, Store.TryGetEntry("f")!.Mode);
        Store.SetMode("f", UnixMode.UserRead | UnixMode.Sticky);
        Assert.Equal(UnixMode.UserRead | UnixMode.Sticky, Store.TryGetEntry("f")!.Mode);
        AssertFails(BackingError.NotFound, "g", () => Store.SetMode("g", UnixMode.DefaultFile));
    }

    [Fact]
    public void Owner_is_set_and_minus_one_keeps_it()
    {
        WriteFile("f", "x");
        var before = Store.TryGetEntry("f")!;
        Store.SetOwner("f", -1, -1);
        Assert.Equal(before.Uid, Store.TryGetEntry("f")!.Uid);
        if (CanChangeOwner)
        {
            Store.SetOwner("f", 1234, -1);
            Assert.Equal(1234, Store.TryGetEntry("f")!.Uid);
            Assert.Equal(before.Gid, Store.TryGetEntry("f")!.Gid);
            Store.SetOwner("f", -1, 4321);
            Assert.Equal(1234, Store.TryGetEntry("f")!.Uid);
            Assert.Equal(4321, Store.TryGetEntry("f")!.Gid);
        }
        AssertFails(BackingError.NotFound, "g", () => Store.SetOwner("g", 0, 0));
    }

    [Fact]
    public void Times_are_set_independently()
    {
        WriteFile("f", "x");
        var access = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234567);
        var write = new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(7654321);
        Store.SetTimes("f", access, write);
        var entry = Store.TryGetEntry("f")!;
        Assert.Equal(access, entry.LastAccessUtc);
        Assert.Equal(write, entry.LastWriteUtc);

        var later = write.AddDays(1);
        Store.SetTimes("f", null, later);
        entry = Store.TryGetEntry("f")!;
        Assert.Equal(access, entry.LastAccessUtc);
        Assert.Equal(later, entry.LastWriteUtc);

        Store.SetTimes("f", write, null);
        entry = Store.TryGetEntry("f")!;
        Assert.Equal(write, entry.LastAccessUtc);
        Assert.Equal(later, entry.LastWriteUtc);

        Store.CreateDirectory("d");
        Store.SetTimes("d", access, write);
        Assert.Equal(write, Store.TryGetEntry("d")!.LastWriteUtc);
        AssertFails(BackingError.NotFound, "g", () => Store.SetTimes("g", access, write));
    }

    [Fact]
    public void Writing_updates_modification_time()
    {
        WriteFile("f", "x");
        var old = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Store.SetTimes("f", old, old);
        using (var file = Store.OpenFile("f", BackingOpenMode.OpenReadWrite))
        {
            file.Write(1, "y"u8);
        }
        Assert.True(Store.TryGetEntry("f")!.LastWriteUtc > old);
    }

    [Fact]
    public void Xattrs_round_trip_list_and_remove()
    {
        WriteFile("f", "x");
        Store.CreateDirectory("d");
        Assert.Null(Store.GetXattr("f", "layered.a"));
        Assert.Empty(Store.ListXattrs("f"));

        Store.SetXattr("f", "layered.a", [1, 2, 3]);
        Store.SetXattr("f", "b", []);
        Store.SetXattr("d", "dirattr", [9]);
        Assert.Equal([1, 2, 3], RequiredXattr("f", "layered.a"));
        Assert.Equal([], RequiredXattr("f", "b"));
        Assert.Equal(["b", "layered.a"], Store.ListXattrs("f").Order(StringComparer.Ordinal));
        Assert.Equal([9], RequiredXattr("d", "dirattr"));

        Store.SetXattr("f", "layered.a", [4]);
        Assert.Equal([4], RequiredXattr("f", "layered.a"));

        Assert.True(Store.RemoveXattr("f", "layered.a"));
        Assert.False(Store.RemoveXattr("f", "layered.a"));
        Assert.Null(Store.GetXattr("f", "layered.a"));
        Assert.Equal(["b"], Store.ListXattrs("f"));

        AssertFails(BackingError.NotFound, "g", () => Store.GetXattr("g", "a"));
        AssertFails(BackingError.NotFound, "g", () => Store.SetXattr("g", "a", [1]));
        AssertFails(BackingError.NotFound, "g", () => Store.ListXattrs("g"));
        AssertFails(BackingError.NotFound, "g", () => Store.RemoveXattr("g", "a"));
        AssertFails(BackingError.NameInvalid, "f", () => Store.SetXattr("f", "", [1]));
        AssertFails(BackingError.NameTooLong, "f", () => Store.SetXattr("f", new string('x', 300), [1]));
    }

    [Fact]
    public void Xattrs_follow_hard_links_and_renames()
    {
        WriteFile("f", "x");
        Store.SetXattr("f", "a", [7]);
        Store.CreateHardLink("f", "g");
        Assert.Equal([7], RequiredXattr("g", "a"));
        Store.Rename("f", "h", replace: false);
        Assert.Equal([7], RequiredXattr("h", "a"));
    }

    [Fact]
    public void Sync_directory_succeeds_and_reports_errors()
    {
        Store.CreateDirectory("d");
        WriteFile("f", "x");
        Store.SyncDirectory("");
        Store.SyncDirectory("d");
        AssertFails(BackingError.NotFound, "e", () => Store.SyncDirectory("e"));
        AssertFails(BackingError.NotADirectory, "f", () => Store.SyncDirectory("f"));
    }

    [Fact]
    public void Statistics_are_consistent()
    {
        var stats = Store.GetStatistics();
        Assert.True(stats.TotalBytes > 0);
        Assert.InRange(stats.FreeBytes, 0, stats.TotalBytes);
        Assert.InRange(stats.AvailableBytes, 0, stats.FreeBytes);
    }

    [Fact]
    public void Exclusive_lock_refuses_a_second_holder_until_released()
    {
        var first = Store.AcquireExclusiveLock("lock");
        Assert.NotNull(Store.TryGetEntry("lock"));
        AssertFails(BackingError.Locked, "lock", () => Store.AcquireExclusiveLock("lock"));
        first.Dispose();
        first.Dispose();
        using var second = Store.AcquireExclusiveLock("lock");
        using var other = Store.AcquireExclusiveLock("other-lock");
        Store.CreateDirectory("d");
        AssertFails(BackingError.IsADirectory, "d", () => Store.AcquireExclusiveLock("d"));
        AssertFails(BackingError.NotFound, "missing/lock", () => Store.AcquireExclusiveLock("missing/lock"));
    }

    [Fact]
    public void Listing_shows_every_kind_with_attributes()
    {
        Store.CreateDirectory("d");
        WriteFile("f", "12345");
        Store.CreateHardLink("f", "g");
        var listing = Store.ListDirectory("").OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["d", "f", "g"], listing.Select(e => e.Name));
        Assert.Equal(BackingEntryKind.Directory, listing[0].Kind);
        Assert.Equal(5, listing[1].Length);
        Assert.Equal(2, listing[2].LinkCount);
        Assert.Equal(listing[1].Inode, listing[2].Inode);
        Assert.NotEqual(listing[0].Inode, listing[1].Inode);
    }
}
