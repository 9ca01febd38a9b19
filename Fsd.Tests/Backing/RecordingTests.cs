using System.Text;
using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

[Trait("Area", "Engine")]
public sealed class RecordingTests
{
    private readonly RecordingBackingStore _recorder = new(new InMemoryBackingStore());

    private Recording Recording => _recorder.Recording;

    private static string Content(IBackingStore store, string path)
    {
        using var file = store.OpenFile(path, BackingOpenMode.OpenRead);
        var buffer = new byte[file.Length];
        file.Read(0, buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    [Fact]
    public void Every_mutation_is_recorded_in_order_with_its_details()
    {
        _recorder.CreateDirectory("d", UnixMode.UserRead | UnixMode.UserExecute);
        using (var file = _recorder.OpenFile("d/f", BackingOpenMode.CreateNew))
        {
            file.Write(3, "abc"u8);
            file.SetLength(2);
            file.Flush();
            _ = file.Read(0, new byte[2]);
        }
        _recorder.SyncDirectory("d");
        _recorder.CreateHardLink("d/f", "g");
        _recorder.Rename("g", "h", replace: true);
        _recorder.SetMode("h", UnixMode.UserRead);
        _recorder.SetOwner("h", 5, -1);
        var time = new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        _recorder.SetTimes("h", null, time);
        _recorder.SetXattr("h", "k", [7, 8]);
        Assert.True(_recorder.RemoveXattr("h", "k"));
        Assert.False(_recorder.RemoveXattr("h", "k"));
        _recorder.Mark("acknowledged");
        _recorder.DeleteFile("h");
        _recorder.DeleteFile("d/f");
        _recorder.DeleteDirectory("d");
        _ = _recorder.TryGetEntry("");
        _ = _recorder.ListDirectory("");

        var ops = Recording.Operations;
        Assert.Equal(
            [
                RecordedOperationKind.CreateDirectory, RecordedOperationKind.CreateFile, RecordedOperationKind.Write,
                RecordedOperationKind.SetLength, RecordedOperationKind.FlushFile, RecordedOperationKind.SyncDirectory,
                RecordedOperationKind.CreateHardLink, RecordedOperationKind.Rename, RecordedOperationKind.SetMode,
                RecordedOperationKind.SetOwner, RecordedOperationKind.SetTimes, RecordedOperationKind.SetXattr,
                RecordedOperationKind.RemoveXattr, RecordedOperationKind.Marker, RecordedOperationKind.DeleteFile,
                RecordedOperationKind.DeleteFile, RecordedOperationKind.DeleteDirectory,
            ],
            ops.Select(o => o.Kind));
        Assert.Equal(Enumerable.Range(0, ops.Count), ops.Select(o => o.Index));
        Assert.Equal(UnixMode.UserRead | UnixMode.UserExecute, ops[0].Mode);
        var identity = ops[1].FileIdentity;
        Assert.NotEqual(0ul, identity);
        Assert.Equal(("d/f", identity, 3L, 3L, "abc"), (ops[2].Path, ops[2].FileIdentity, ops[2].Offset, ops[2].Length, Encoding.UTF8.GetString(ops[2].Data.Span)));
        Assert.Equal(2, ops[3].Length);
        Assert.Equal(identity, ops[4].FileIdentity);
        Assert.Equal([4, 5], Recording.DurabilityPoints);
        Assert.True(ops[4].IsDurabilityPoint && ops[5].IsDurabilityPoint);
        Assert.False(ops[2].IsDurabilityPoint);
        Assert.Equal(("d/f", "g"), (ops[6].Path, ops[6].TargetPath));
        Assert.Equal(("g", "h", true), (ops[7].Path, ops[7].TargetPath, ops[7].Replace));
        Assert.Equal((5, -1), (ops[9].Uid, ops[9].Gid));
        Assert.Equal((null, time), (ops[10].LastAccessUtc, ops[10].LastWriteUtc));
        Assert.Equal("k", ops[11].Label);
        Assert.Equal([7, 8], ops[11].Data.ToArray());
        Assert.Equal("acknowledged", ops[13].Label);
    }

    [Fact]
    public void Failed_calls_are_not_recorded()
    {
        _recorder.CreateDirectory("d");
        Assert.Throws<BackingStoreException>(() => _recorder.CreateDirectory("d"));
        Assert.Throws<BackingStoreException>(() => _recorder.DeleteFile("missing"));
        Assert.Throws<BackingStoreException>(() => _recorder.Rename("missing", "x", false));
        Assert.Throws<BackingStoreException>(() => _recorder.OpenFile("d", BackingOpenMode.CreateNew));
        Assert.Equal(1, Recording.Count);
    }

    [Fact]
    public void Writes_follow_the_file_through_renames_and_unlinks()
    {
        _recorder.CreateDirectory("a");
        using var file = _recorder.OpenFile("a/f", BackingOpenMode.CreateNew);
        file.Write(0, "1"u8);
        _recorder.Rename("a/f", "a/g", replace: false);
        file.Write(1, "2"u8);
        _recorder.Rename("a", "b", replace: false);
        file.Write(2, "3"u8);
        using (var other = _recorder.OpenFile("b/other", BackingOpenMode.CreateNew)) { other.Write(0, "x"u8); }
        _recorder.Rename("b/other", "b/g", replace: true); // replaces the open file's name
        file.Write(3, "4"u8);

        var writes = Recording.Operations.Where(o => o.Kind == RecordedOperationKind.Write && o.FileIdentity == Recording.Operations[1].FileIdentity).ToList();
        Assert.Equal(["a/f", "a/g", "b/g", "b/g"], writes.Select(w => w.Path));

        // Replay sends every write to the right file: the replaced one is gone, b/g holds "x".
        var replica = new InMemoryBackingStore();
        Recording.ApplyAllTo(replica);
        Assert.Equal("x", Content(replica, "b/g"));
        Assert.Equal(BackingTree.Capture(_recorder), BackingTree.Capture(replica));
    }

    [Fact]
    public void Replaying_a_prefix_gives_the_state_at_that_point()
    {
        using (var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "one"u8);
            file.Flush();
            file.Write(0, "two"u8);
        }
        _recorder.Rename("f", "g", replace: false);
        var flush = Recording.DurabilityPoints.Single();

        var atFlush = new InMemoryBackingStore();
        Recording.ApplyTo(atFlush, Enumerable.Range(0, flush + 1));
        Assert.Equal("one", Content(atFlush, "f"));

        var all = new InMemoryBackingStore();
        Recording.ApplyTo(all, Enumerable.Range(0, Recording.Count).Reverse());
        Assert.Equal("two", Content(all, "g"));
        Assert.Null(all.TryGetEntry("f"));
    }

    [Fact]
    public void Subsets_apply_in_recorded_order_and_conflicts_can_be_skipped()
    {
        _recorder.CreateDirectory("d");
        using (var file = _recorder.OpenFile("d/f", BackingOpenMode.CreateNew)) { file.Write(0, "x"u8); }
        _recorder.SetMode("d/f", UnixMode.UserRead);

        // Without the mkdir (op 0) the create, the write and the chmod cannot happen.
        var strict = new InMemoryBackingStore();
        Assert.Throws<BackingStoreException>(() => Recording.ApplyTo(strict, [3, 2, 1]));
        var lenient = new InMemoryBackingStore();
        Assert.Equal(3, Recording.ApplyTo(lenient, [1, 2, 3], ReplayMode.SkipConflicts));
        Assert.Empty(lenient.ListDirectory(""));

        Assert.Throws<ArgumentOutOfRangeException>(() => Recording.ApplyTo(new InMemoryBackingStore(), [Recording.Count]));
    }

    [Fact]
    public void Writes_to_a_file_that_existed_before_recording_replay_by_name()
    {
        var inner = new InMemoryBackingStore();
        using (var file = inner.OpenFile("pre", BackingOpenMode.CreateNew)) { file.Write(0, "old!"u8); }
        var recorder = new RecordingBackingStore(inner);
        using (var file = recorder.OpenFile("pre", BackingOpenMode.OpenReadWrite)) { file.Write(0, "new"u8); }

        var target = new InMemoryBackingStore();
        using (var file = target.OpenFile("pre", BackingOpenMode.CreateNew)) { file.Write(0, "old!"u8); }
        recorder.Recording.ApplyAllTo(target);
        Assert.Equal("new!", Content(target, "pre"));
    }

    [Fact]
    public void Lock_file_creation_is_recorded_once()
    {
        using (_recorder.AcquireExclusiveLock("lock")) { }
        using (_recorder.AcquireExclusiveLock("lock")) { }
        Assert.Equal(RecordedOperationKind.CreateFile, Assert.Single(Recording.Operations).Kind);
    }

    [Fact]
    public void Concurrent_writers_are_recorded_in_the_order_applied()
    {
        const int threads = 4, writesPerThread = 50;
        using var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var i = 0; i < writesPerThread; i++)
            {
                // Every thread writes the same range: only the recorded order explains the final bytes.
                file.Write(0, [(byte)t, (byte)i]);
                _recorder.SetXattr("f", "last", [(byte)t]);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Equal(1 + 2 * threads * writesPerThread, Recording.Count);
        var replica = new InMemoryBackingStore();
        Recording.ApplyAllTo(replica);
        Assert.Equal(BackingTree.Capture(_recorder), BackingTree.Capture(replica));
    }
    [Fact]
    public void SyncAll_is_recorded_as_a_durability_point_and_replayed()
    {
        Assert.True(_recorder.CanSyncAll);
        _recorder.CreateDirectory("d");
        using (var file = _recorder.OpenFile("d/f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "abc"u8);
        }
        _recorder.SyncAll();
        var op = Recording.Operations[^1];
        Assert.Equal(RecordedOperationKind.SyncAll, op.Kind);
        Assert.True(op.IsDurabilityPoint);
        Assert.Equal(op.Index, Recording.DurabilityPoints[^1]);
        Assert.Equal($"#{op.Index} SyncAll", op.ToString());

        // The replay flushes the target as a whole too: what it made durable survives a power cut of the replica.
        var replica = new InMemoryBackingStore();
        Recording.ApplyAllTo(replica);
        var durable = replica.CloneDurableState();
        Assert.Equal(BackingTree.Capture(_recorder), BackingTree.Capture(durable));
        Assert.Equal("abc", Content(durable, "d/f"));
    }
}
