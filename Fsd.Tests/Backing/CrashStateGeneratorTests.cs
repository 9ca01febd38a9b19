using System.Text;
using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

[Trait("Area", "Engine")]
public sealed class CrashStateGeneratorTests
{
    private readonly RecordingBackingStore _recorder = new(new InMemoryBackingStore());

    private static string? Content(IBackingStore store, string path)
    {
        if (store.TryGetEntry(path) is null)
        {
            return null;
        }
        using var file = store.OpenFile(path, BackingOpenMode.OpenRead);
        var buffer = new byte[file.Length];
        file.Read(0, buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>create f; write "aaaa"; fsync f; sync root; write "bb" at 0; write "cc" at 4; rename f -> g.</summary>
    private (int Flush, int Sync) RecordSmallWorkload()
    {
        using (var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "aaaa"u8);
            file.Flush();
            _recorder.SyncDirectory("");
            file.Write(0, "bb"u8);
            file.Write(4, "cc"u8);
        }
        _recorder.Rename("f", "g", replace: false);
        var points = _recorder.Recording.DurabilityPoints;
        return (points[0], points[1]);
    }

    [Fact]
    public void Exhaustive_prefixes_are_every_cut_and_replay_the_recorded_prefix()
    {
        RecordSmallWorkload();
        var count = _recorder.Recording.Count;
        var prefixes = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { Exhaustive = true })
            .Enumerate().Where(s => s.Kind == CrashStateKind.Prefix).ToList();
        Assert.Equal(Enumerable.Range(0, count + 1), prefixes.Select(s => s.CutIndex));
        foreach (var state in prefixes)
        {
            var expected = new InMemoryBackingStore();
            _recorder.Recording.ApplyTo(expected, Enumerable.Range(0, state.CutIndex));
            Assert.Equal(BackingTree.Capture(expected), BackingTree.Capture(state.Materialize()));
        }
        Assert.Equal("bbaacc", Content(prefixes[^1].Materialize(), "g"));
    }

    [Fact]
    public void Bounded_prefixes_include_both_sides_of_every_durability_point()
    {
        for (var i = 0; i < 30; i++)
        {
            _recorder.CreateDirectory("d" + i);
            if (i % 10 == 0)
            {
                _recorder.SyncDirectory("");
            }
        }
        var options = new CrashStateOptions { MaxIntermediateCuts = 5 };
        var cuts = new CrashStateGenerator(_recorder.Recording, options).Enumerate()
            .Where(s => s.Kind == CrashStateKind.Prefix).Select(s => s.CutIndex).ToList();
        foreach (var point in _recorder.Recording.DurabilityPoints)
        {
            Assert.Contains(point, cuts);
            Assert.Contains(point + 1, cuts);
        }
        Assert.Contains(0, cuts);
        Assert.Contains(_recorder.Recording.Count, cuts);
        Assert.Equal(2 + 2 * 3 + 5, cuts.Count);
    }

    [Fact]
    public void Weak_states_drop_only_unflushed_writes_and_keep_metadata_in_order()
    {
        var (flush, _) = RecordSmallWorkload();
        var ops = _recorder.Recording.Operations;
        var unflushed = ops.Where(o => o.Kind == RecordedOperationKind.Write && o.Index > flush).Select(o => o.Index).ToHashSet();
        var weak = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { WeakStatesPerCut = 20 })
            .Enumerate().Where(s => s.Kind == CrashStateKind.WeakPersistence).ToList();
        Assert.NotEmpty(weak);
        var contents = new HashSet<string?>();
        foreach (var state in weak)
        {
            Assert.NotEmpty(state.DroppedWrites);
            // While the fsync has not returned, the write it covers may still be lost; once it has, only later ones.
            var droppable = state.CutIndex <= flush ? new HashSet<int> { ops[1].Index } : unflushed;
            Assert.All(state.DroppedWrites, i => Assert.Contains(i, droppable));
            var metadata = state.Operations.Where(o => o.Kind != RecordedOperationKind.Write).Select(o => o.Index);
            Assert.Equal(ops.Take(state.CutIndex).Where(o => o.Kind != RecordedOperationKind.Write).Select(o => o.Index), metadata);
            if (state.CutIndex > flush)
            {
                Assert.Contains(ops[1].Index, state.Operations.Select(o => o.Index)); // the flushed write
            }
            var store = state.Materialize();
            contents.Add(Content(store, "g") ?? Content(store, "f"));
        }
        // Cut at the fsync: "aaaa" may be lost. After it the flushed "aaaa" always survives; "bb" and "cc" may each be lost.
        Assert.Subset(new HashSet<string?> { "", "aaaa", "bbaa", "aaaacc" }, contents);
        Assert.Contains("", contents);
        Assert.Contains("aaaa", contents);
    }

    [Fact]
    public void Weak_states_reorder_unflushed_writes_of_a_file()
    {
        using (var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "1111"u8);
            file.Write(0, "22"u8);
            file.Write(0, "3"u8);
        }
        var contents = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { WeakStatesPerCut = 60 })
            .Enumerate().Where(s => s.Kind == CrashStateKind.WeakPersistence)
            .Select(s => Content(s.Materialize(), "f")).ToHashSet();
        // In order, "3221" is the only result; a state where "1111" landed last shows the reordering.
        Assert.Contains("1111", contents);
        Assert.Contains("", contents);
        Assert.DoesNotContain("3221", contents);
        Assert.Contains(contents, c => c is "2211" or "3111" or "3211" or "2311");
    }

    [Fact]
    public void Writes_never_move_across_a_truncate_of_their_file()
    {
        using (var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "abcdef"u8);
            file.SetLength(2);
            file.Write(2, "X"u8);
        }
        var states = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { WeakStatesPerCut = 40 })
            .Enumerate().Where(s => s.Kind == CrashStateKind.WeakPersistence).ToList();
        var contents = states.Select(s => Content(s.Materialize(), "f")).ToHashSet();
        Assert.Subset(new HashSet<string?> { "ab", "abX", "\0\0", "\0\0X" }, contents);
    }

    [Fact]
    public void Torn_writes_stop_at_sector_boundaries()
    {
        var data = Enumerable.Range(0, 1500).Select(i => (byte)('A' + i % 26)).ToArray();
        using (var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        {
            file.Write(100, data);
            file.Write(0, "tiny"u8); // inside one sector: never torn
        }
        var all = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { Exhaustive = true })
            .Enumerate().Where(s => s.Kind == CrashStateKind.TornWrite).ToList();
        Assert.Equal([412, 924, 1436], all.Select(s => (int)s.Operations[^1].Length));
        foreach (var state in all)
        {
            var store = state.Materialize();
            var persisted = (int)state.Operations[^1].Length;
            Assert.Equal(100 + persisted, store.TryGetEntry("f")!.Length);
            Assert.Equal(state.Operations[^1].Index + 1, state.CutIndex);
            Assert.Equal(Encoding.ASCII.GetString(data, 0, persisted), Content(store, "f")![100..]);
        }
        var bounded = new CrashStateGenerator(_recorder.Recording).Enumerate().Where(s => s.Kind == CrashStateKind.TornWrite);
        Assert.Equal([412, 1436], bounded.Select(s => (int)s.Operations[^1].Length));
    }

    [Fact]
    public void Generation_is_deterministic_and_capped()
    {
        RecordSmallWorkload();
        var first = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { Seed = 7 }).Enumerate().Select(s => s.Description).ToList();
        var second = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { Seed = 7 }).Enumerate().Select(s => s.Description).ToList();
        Assert.Equal(first, second);
        Assert.Equal(3, new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { MaxStates = 3 }).Enumerate().Count());
    }

    [Fact]
    public void States_materialize_the_same_in_a_real_folder()
    {
        RecordSmallWorkload();
        foreach (var state in new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { Exhaustive = true }).Enumerate())
        {
            using var folder = new TempFolder();
            using var directory = new DirectoryBackingStore(folder.Path);
            state.MaterializeInto(directory);
            Assert.Equal(BackingTree.Capture(state.Materialize()).ToString(), BackingTree.Capture(directory).ToString());
        }
    }

    [Fact]
    public void Durable_data_survives_every_state_cut_after_its_fsync()
    {
        // The promise a harness checks: once fsync of f and of its directory returned, "aaaa" (or what
        // later writes made of it) is there.
        var (flush, sync) = RecordSmallWorkload();
        foreach (var state in new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { Exhaustive = true }).Enumerate())
        {
            if (state.CutIndex <= Math.Max(flush, sync))
            {
                continue;
            }
            var store = state.Materialize();
            var content = Content(store, "f") ?? Content(store, "g");
            Assert.NotNull(content);
            Assert.True(content.Length >= 4, state.Description);
            Assert.Contains(content[..4], new[] { "aaaa", "bbaa" });
        }
    }

    [Fact]
    public void Materialized_state_keeps_fsync_tracking_for_the_strict_posix_model()
    {
        using (var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "data"u8);
            file.Flush();
        }
        _recorder.SyncDirectory("");
        using (var file = _recorder.OpenFile("g", BackingOpenMode.CreateNew))
        {
            file.Write(0, "x"u8);
            file.Flush(); // the name "g" is never made durable: its directory is not synced again
        }
        var end = new CrashStateGenerator(_recorder.Recording).Enumerate()
            .Last(s => s.Kind == CrashStateKind.Prefix);
        var materialized = end.Materialize();
        Assert.Equal("x", Content(materialized, "g"));
        var strict = materialized.CloneDurableState();
        Assert.Equal("data", Content(strict, "f"));
        Assert.Null(strict.TryGetEntry("g"));
    }

    [Fact]
    public void A_SyncAll_makes_every_earlier_write_of_every_file_durable_and_later_ones_stay_droppable()
    {
        using (var f = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        using (var g = _recorder.OpenFile("g", BackingOpenMode.CreateNew))
        {
            f.Write(0, "ff"u8);
            g.Write(0, "gg"u8);
            _recorder.SyncAll();
            f.Write(2, "FF"u8);
        }
        var ops = _recorder.Recording.Operations;
        var syncAll = Assert.Single(ops, o => o.Kind == RecordedOperationKind.SyncAll).Index;
        Assert.Contains(syncAll, _recorder.Recording.DurabilityPoints);
        var covered = ops.Where(o => o.Kind == RecordedOperationKind.Write && o.Index < syncAll).Select(o => o.Index).ToList();
        var later = Assert.Single(ops, o => o.Kind == RecordedOperationKind.Write && o.Index > syncAll).Index;
        Assert.Equal(2, covered.Count);

        var states = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { Exhaustive = true }).Enumerate().ToList();
        var after = states.Where(s => s.CutIndex > syncAll).ToList();
        Assert.NotEmpty(after);
        foreach (var state in after)
        {
            Assert.Subset(state.Operations.Select(o => o.Index).ToHashSet(), covered.ToHashSet());
            var store = state.Materialize();
            Assert.Equal("gg", Content(store, "g"));
            Assert.Contains(Content(store, "f"), new[] { "ff", "ffFF" });
        }
        // The write after the SyncAll may be lost; the ones it covered may be lost only while it has not returned.
        Assert.Contains(after, s => s.DroppedWrites.Contains(later));
        Assert.Contains(states, s => s.Kind == CrashStateKind.WeakPersistence && s.CutIndex == syncAll
                                     && s.DroppedWrites.Intersect(covered).Any());
    }
    [Fact]
    public void Weak_states_are_taken_both_before_and_after_every_durability_point()
    {
        using (var file = _recorder.OpenFile("f", BackingOpenMode.CreateNew))
        {
            file.Write(0, "a"u8);
            file.Flush();
            file.Write(1, "b"u8);
            _recorder.SyncAll();
            file.Write(2, "c"u8);
        }
        var points = _recorder.Recording.DurabilityPoints;
        var weakCuts = new CrashStateGenerator(_recorder.Recording, new CrashStateOptions { WeakStatesPerCut = 8 }).Enumerate()
            .Where(s => s.Kind == CrashStateKind.WeakPersistence).Select(s => s.CutIndex).ToHashSet();
        // Before each point one write is unflushed ("a", then "b"); right after each nothing is, so no state there.
        Assert.Equal(new HashSet<int> { points[0], points[1], _recorder.Recording.Count }, weakCuts);
    }
}
