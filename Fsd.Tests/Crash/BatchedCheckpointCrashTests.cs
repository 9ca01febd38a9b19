using System.Diagnostics;
using Layered.Backing;
using Layered.Fsd;
using Xunit.Abstractions;

namespace Layered.Crash.Tests;

/// <summary>
/// The checkpoint of many dirty files (Fsd/Volume.Sync.cs, TrySyncNodesTogether) under the crash harness: every
/// file's held overwrites written, one flush of the whole store, every header written, a second flush, then the
/// journal checkpoint. The in-memory store behind the recorder offers that flush, so the batched path runs here and
/// its two SyncAll operations are durability points of the crash model.
/// </summary>
[Trait("Area", "Crash")]
public sealed class BatchedCheckpointCrashTests(ITestOutputHelper output) : IClassFixture<CrashHarnessFixture>
{
    /// <summary>Above the engine's threshold of 16 dirty files for the batched checkpoint.</summary>
    private const int NewFiles = 18;

    /// <summary>Bounded: every state around each durability point is kept (the weak states around the two flushes
    /// come last in the enumeration, so the cap is set above the total).</summary>
    private static CrashStateOptions Options => new()
    {
        MaxIntermediateCuts = 80,
        WeakStatesPerCut = 6,
        MaxTornWrites = 24,
        MaxStates = 2000,
    };

    /// <summary>
    /// An fsynced file with an overwrite held in memory, then <see cref="NewFiles"/> new files of two chunks each
    /// (19 dirty files), then a volume sync whose checkpoint takes the batched path, then an unflushed append.
    /// </summary>
    private static WorkloadOp[] Workload()
    {
        var ops = new List<WorkloadOp>
        {
            new CreateOp("h"), new WriteOp("h", 0, 6000, 100), new FsyncOp("h"), new WriteOp("h", 100, 50, 101),
        };
        for (int i = 0; i < NewFiles; i++)
        {
            ops.Add(new CreateOp($"f{i:00}"));
            ops.Add(new WriteOp($"f{i:00}", 0, 5000, 200 + i));
        }
        ops.Add(new SyncOp());
        ops.Add(new AppendOp("f00", 300, 300));
        return [.. ops];
    }

    private static int SyncStep => 4 + 2 * NewFiles;

    [Fact]
    public void BatchedCheckpointSurvivesEveryCrashState()
    {
        using var harness = new CrashHarness();
        Volume? volume = null;
        var recorded = harness.Record("batched-checkpoint", Workload(), prepare: v => volume = v);
        Assert.Equal(1, volume!.BatchedCheckpoints);

        // Both flushes are recorded, inside the volume sync step: data flush, headers, header flush.
        var flushes = recorded.Recording.Operations.Where(o => o.Kind == RecordedOperationKind.SyncAll).ToList();
        Assert.Equal(2, flushes.Count);
        Assert.All(flushes, f => Assert.InRange(f.Index, recorded.BeginMarks[SyncStep], recorded.EndMarks[SyncStep]));
        var states = new CrashStateGenerator(recorded.Recording, Options).Enumerate().ToList();
        foreach (var flush in flushes)
        {
            Assert.Contains(states, s => s.Kind == CrashStateKind.WeakPersistence && s.CutIndex == flush.Index);
            Assert.Contains(states, s => s.Kind == CrashStateKind.Prefix && s.CutIndex == flush.Index + 1);
        }

        var watch = Stopwatch.StartNew();
        var result = harness.Check(recorded, Options);
        output.WriteLine($"batched checkpoint: {recorded.Recording.Count} recorded operations, {result.States} crash states, " +
                         $"{result.Violations.Count} violations ({watch.Elapsed.TotalSeconds:F1} s)");
        foreach (var v in result.Violations.Take(10))
            output.WriteLine(v);
        Assert.True(result.States >= 150, $"only {result.States} crash states were generated");
        Assert.Empty(result.Violations);
    }

    [Fact]
    public void WithoutTheDataFlush_HeadersClaimDataThatIsNotThere()
    {
        using var harness = new CrashHarness();
        Volume? volume = null;
        var recorded = harness.Record("batched-checkpoint-no-data-flush", Workload(),
            mutations: new RecoveryTestSwitches { SkipBatchedDataFlush = true }, prepare: v => volume = v);
        Assert.Equal(1, volume!.BatchedCheckpoints);
        Assert.Single(recorded.Recording.Operations, o => o.Kind == RecordedOperationKind.SyncAll);

        var result = harness.Check(recorded, Options, stopAfterViolations: 20);
        output.WriteLine($"mutation (no data flush): {result.States} crash states, {result.Violations.Count} violations; first: {result.Violations.FirstOrDefault()}");
        Assert.NotEmpty(result.Violations);
        // Only a crash while the header flush runs can show it: its headers may persist without their data.
        var flush = recorded.Recording.Operations.Single(o => o.Kind == RecordedOperationKind.SyncAll);
        Assert.All(result.Violations, v => Assert.Contains($"weak cut {flush.Index}/", v));
    }
}
