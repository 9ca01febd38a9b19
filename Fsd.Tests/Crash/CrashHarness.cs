using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Crash.Tests;

/// <summary>A workload run once on the recording store: the recording, and the model after each step.</summary>
public sealed record RecordedWorkload(
    string Name,
    Recording Recording,
    IReadOnlyList<WorkloadOp> Ops,
    IReadOnlyList<ModelSnapshot> Snapshots,
    IReadOnlyList<int> BeginMarks,
    IReadOnlyList<int> EndMarks,
    int InitializedMark);

/// <summary>How one workload's crash states fared.</summary>
public sealed record CrashCheckResult(string Workload, int States, IReadOnlyList<string> Violations);

/// <summary>
/// The CrashMonkey/ALICE-style harness (anchors.md §4.4): runs a workload through the engine on a
/// <see cref="RecordingBackingStore"/> (the journal's segment and commit files go through the same store, so its
/// device writes are in the recording), builds crash states from the recording, and for each one materializes the
/// backing store, mounts (which runs recovery), and checks DESIGN.md §9 against the sequential model.
/// </summary>
internal sealed class CrashHarness : IDisposable
{
    private readonly string _vaultFolder;
    public Vault Vault { get; }

    /// <summary>A small journal geometry: every crash state mounts a journal, so small pages keep that fast.</summary>
    public static readonly JournalOptions JournalOptions = new()
    {
        PageSizeBits = 16,
        SegmentSizeBits = 18,
        MemorySizeBits = 18,
        AutoCommitInterval = TimeSpan.Zero,
    };

    public CrashHarness()
    {
        _vaultFolder = Path.Combine(Path.GetTempPath(), "layered-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_vaultFolder);
        Vault = Vault.Create(_vaultFolder, "password"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly, ChunkSize = 4096 });
    }

    public Volume Mount(IBackingStore store, bool atomicRewrites = true, RecoveryTestSwitches? recovery = null) =>
        Volume.Mount(new VolumeOptions
        {
            Store = store,
            Vault = Vault,
            Journal = JournalOptions,
            CheckpointInterval = TimeSpan.Zero,
            AtomicChunkRewrites = atomicRewrites,
            RecoverySwitches = recovery ?? new RecoveryTestSwitches(),
        });

    /// <param name="mutations">Test-only mutations of the recorded volume (a checkpoint flush taken away).</param>
    /// <param name="prepare">Called with the mounted volume before the first step (e.g. to keep it for its counters).</param>
    /// <param name="compareEveryStep">Compare the live engine with the model after every step (it reads every file);
    /// false compares after the last step only, for workloads whose state a read would change (a read beyond the
    /// valid data length settles written-ahead ranges).</param>
    public RecordedWorkload Record(string name, IReadOnlyList<WorkloadOp> ops, bool atomicRewrites = true,
        RecoveryTestSwitches? mutations = null, Action<Volume>? prepare = null, bool compareEveryStep = true)
    {
        var store = new RecordingBackingStore(new InMemoryBackingStore());
        Volume.InitializeStore(store, JournalOptions, NullLoggerFactory.Instance);
        // A crash during `layered init` leaves no vault to recover: states start once the vault exists.
        store.Mark("initialized");
        var model = new ModelFileSystem();
        var snapshots = new List<ModelSnapshot> { model.Snapshot() };
        var volume = Mount(store, atomicRewrites, mutations);
        prepare?.Invoke(volume);
        var ctx = new WorkloadContext(volume);
        try
        {
            for (int i = 0; i < ops.Count; i++)
            {
                store.Mark($"begin {i}");
                ops[i].Run(ctx);
                store.Mark($"end {i}");
                ops[i].Model(model);
                var snapshot = model.Snapshot();
                snapshots.Add(snapshot);
                if (!compareEveryStep && i < ops.Count - 1)
                    continue;
                // The model is only a witness if the live engine agrees with it after every step.
                var problems = new List<string>();
                var live = EngineView.Capture(volume, problems);
                string? mismatch = Compare(live, snapshot);
                if (problems.Count > 0 || mismatch is not null)
                    throw new InvalidOperationException($"{name}: the live engine disagrees with the model after step {i} ({ops[i]}): {mismatch} {string.Join("; ", problems)}");
            }
        }
        finally
        {
            foreach (var h in ctx.HeldHandles.Values)
                volume.Release(h);
            volume.Dispose(); // unmount is part of the recording: a crash inside it is a state too
        }
        var operations = store.Recording.Operations;
        var begins = new int[ops.Count];
        var ends = new int[ops.Count];
        int initialized = 0;
        foreach (var o in operations.Where(o => o.Kind == RecordedOperationKind.Marker))
        {
            if (o.Label == "initialized")
            {
                initialized = o.Index;
                continue;
            }
            var parts = o.Label!.Split(' ');
            (parts[0] == "begin" ? begins : ends)[int.Parse(parts[1])] = o.Index;
        }
        return new RecordedWorkload(name, store.Recording, ops, snapshots, begins, ends, initialized);
    }

    /// <summary>Null when the view equals the snapshot in names and contents, else what differs.</summary>
    public static string? Compare(ModelSnapshot view, ModelSnapshot model)
    {
        if (view.Namespace() != model.Namespace())
            return $"namespace differs:\n--- engine\n{view.Namespace()}\n--- model\n{model.Namespace()}";
        foreach (var (p, n) in model.Paths)
            if (n.Kind == NodeType.File && !view.Paths[p].Data.AsSpan().SequenceEqual(n.Data))
                return $"content of '{p}' differs ({view.Paths[p].Data.Length} vs {n.Data.Length} bytes)";
        return null;
    }

    public CrashCheckResult Check(RecordedWorkload w, CrashStateOptions options, RecoveryTestSwitches? recovery = null, int stopAfterViolations = int.MaxValue)
    {
        var violations = new List<string>();
        int states = 0;
        foreach (var state in new CrashStateGenerator(w.Recording, options).Enumerate())
        {
            if (state.CutIndex <= w.InitializedMark)
                continue;
            states++;
            foreach (var v in CheckState(w, state, recovery))
                violations.Add($"{w.Name} [{state.Description}]: {v}");
            if (violations.Count >= stopAfterViolations)
                break;
        }
        return new CrashCheckResult(w.Name, states, violations);
    }

    private IEnumerable<string> CheckState(RecordedWorkload w, CrashState state, RecoveryTestSwitches? recovery)
    {
        int completed = w.EndMarks.Count(e => e < state.CutIndex);
        int started = w.BeginMarks.Count(b => b < state.CutIndex);
        var problems = new List<string>();
        using var store = state.Materialize();
        Volume volume;
        try
        {
            volume = Mount(store, recovery: recovery);
        }
        catch (Exception e)
        {
            return [$"mount after the crash failed: {e.GetType().Name}: {e.Message}"];
        }
        try
        {
            if (!volume.Recovery.Clean)
                problems.Add($"recovery reported damage: {volume.Recovery}");
            var view = EngineView.Capture(volume, problems);
            CheckAgainstModel(w, view, completed, started, problems);
            foreach (var dir in new[] { ".layered/orphans", ".layered/tmp" })
                if (store.TryGetEntry(dir) is not null && store.ListDirectory(dir).Count > 0)
                    problems.Add($"{dir} not empty after recovery: {string.Join(", ", store.ListDirectory(dir).Select(e => e.Name))}");
            var fsck = new VaultChecker(volume, NullLogger.Instance).Check(repair: false);
            foreach (var d in fsck.Damaged)
                problems.Add($"fsck: {d}");
        }
        catch (Exception e)
        {
            problems.Add($"checking the recovered volume threw {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            volume.Dispose();
        }
        return problems;
    }

    /// <summary>
    /// DESIGN §9 against the model. Namespace operations persist in order and each is one step, so the names are
    /// exactly those after some operation boundary the cut allows. Each file's content is its content after some
    /// step between its last completed fsync (or volume sync) and the cut: fsynced data is there, and every write
    /// is wholly there or not at all.
    /// </summary>
    private static void CheckAgainstModel(RecordedWorkload w, ModelSnapshot view, int completed, int started, List<string> problems)
    {
        string ns = view.Namespace();
        var candidates = Enumerable.Range(completed, started - completed + 1).Where(t => w.Snapshots[t].Namespace() == ns).ToList();
        if (candidates.Count == 0)
        {
            problems.Add($"names match no state between step {completed} and {started}:\n{ns}\n--- model after step {completed}:\n{w.Snapshots[completed].Namespace()}");
            return;
        }
        var model = w.Snapshots[candidates[0]];
        foreach (var (path, node) in view.Paths)
        {
            if (node.Kind != NodeType.File)
                continue;
            int id = model.Paths[path].Id;
            int floor = 0;
            for (int i = 0; i < completed; i++)
            {
                var durable = w.Ops[i].DurableIds(ModelFor(w, i + 1));
                if (durable is null || durable.Contains(id))
                    floor = i + 1;
            }
            bool legal = false;
            for (int k = floor; k <= started && !legal; k++)
                legal = w.Snapshots[k].Node(id) is { } n && n.Data.AsSpan().SequenceEqual(node.Data);
            if (!legal)
                problems.Add($"'/{path}' holds {node.Data.Length} bytes that match no state of it from step {floor} (its last durability point) to {started}" +
                             $" (after step {floor} it had {w.Snapshots[floor].Node(id)?.Data.Length} bytes)");
        }
    }

    private static ModelFileSystem ModelFor(RecordedWorkload w, int step)
    {
        var m = new ModelFileSystem();
        foreach (var (p, n) in w.Snapshots[step].Paths)
            m.Paths[p] = n;
        return m;
    }

    public void Dispose()
    {
        Vault.Dispose();
        try { Directory.Delete(_vaultFolder, true); } catch (IOException) { }
    }
}
