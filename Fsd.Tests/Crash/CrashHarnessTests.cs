using System.Diagnostics;
using Layered.Backing;
using Layered.Fsd;
using Xunit.Abstractions;

namespace Layered.Crash.Tests;

[Trait("Area", "Crash")]
public sealed class CrashHarnessTests(ITestOutputHelper output) : IClassFixture<CrashHarnessFixture>
{
    /// <summary>LAYERED_SOAK=1 runs the exhaustive set (every prefix, every tear, more weak samples) under
    /// <see cref="SoakSeeds"/> seeds; the default run is a bounded, seeded sample (seconds).</summary>
    private static bool Soak => Environment.GetEnvironmentVariable("LAYERED_SOAK") == "1";

    private const int SoakSeeds = 24;

    private static CrashStateOptions Options => Soak
        ? new CrashStateOptions { Exhaustive = true, MaxStates = 100_000 }
        : new CrashStateOptions { MaxIntermediateCuts = 12, WeakStatesPerCut = 2, MaxTornWrites = 10, MaxStates = 150 };

    [Fact]
    public void EveryWorkloadSurvivesEveryCrashState()
    {
        using var harness = new CrashHarness();
        var watch = Stopwatch.StartNew();
        int states = 0;
        var violations = new List<string>();
        foreach (var (name, ops) in Workloads.All)
        {
            var recorded = harness.Record(name, ops);
            // Soak: the exhaustive set under many seeds (each seed draws other drop/reorder samples).
            foreach (int seed in Soak ? Enumerable.Range(1, SoakSeeds) : [1])
            {
                var result = harness.Check(recorded, Options with { Seed = seed });
                output.WriteLine($"{name} (seed {seed}): {recorded.Recording.Count} recorded operations, {result.States} crash states, {result.Violations.Count} violations");
                states += result.States;
                violations.AddRange(result.Violations);
            }
        }
        output.WriteLine($"crash harness: {Workloads.All.Count} workloads, {states} crash states checked, {violations.Count} violations ({watch.Elapsed.TotalSeconds:F0} s{(Soak ? ", exhaustive" : "")})");
        foreach (var v in violations.Take(20))
            output.WriteLine(v);
        Assert.True(states >= Workloads.All.Count * 20, $"only {states} crash states were generated");
        Assert.Empty(violations);
    }

    [Fact]
    public void SymlinkCreationSurvivesEveryCrashState()
    {
        using var harness = new CrashHarness();
        var recorded = harness.Record("symlinks", Workloads.Symlinks);
        var result = harness.Check(recorded, Options);
        output.WriteLine($"symlinks: {result.States} crash states, {result.Violations.Count} violations");
        foreach (var v in result.Violations.Take(5))
            output.WriteLine(v);
        Assert.Empty(result.Violations);
    }

    [Fact]
    public void WritesKeptAheadSurviveEveryCrashState()
    {
        using var harness = new CrashHarness();
        var recorded = harness.Record("writes-ahead", Workloads.WritesAhead, compareEveryStep: false);
        var result = harness.Check(recorded, Options);
        output.WriteLine($"writes-ahead: {result.States} crash states, {result.Violations.Count} violations");
        foreach (var v in result.Violations.Take(5))
            output.WriteLine(v);
        Assert.True(result.States >= 20, $"only {result.States} crash states were generated");
        Assert.Empty(result.Violations);
    }

    [Fact]
    public void WithoutChunkImageRedo_TornOverwritesAreViolations()
    {
        using var harness = new CrashHarness();
        var recorded = harness.Record("overwrite-in-chunk", Workloads.All["overwrite-in-chunk"]);
        var result = harness.Check(recorded, Options with { MaxTornWrites = 40 }, new RecoveryTestSwitches { SkipChunkImageRedo = true });
        output.WriteLine($"mutation (no chunk image redo): {result.States} crash states, {result.Violations.Count} violations; first: {result.Violations.FirstOrDefault()}");
        Assert.NotEmpty(result.Violations);
        // Without the redo, an fsynced overwrite still held (or torn) in place is lost or unreadable.
        Assert.All(result.Violations, v => Assert.Contains("'/o'", v));
    }

    [Fact]
    public void WithoutSizeRedo_FsyncedAppendsAreLost()
    {
        using var harness = new CrashHarness();
        var recorded = harness.Record("appends", Workloads.All["appends"]);
        var result = harness.Check(recorded, Options, new RecoveryTestSwitches { SkipSizeRedo = true });
        output.WriteLine($"mutation (no size redo): {result.States} crash states, {result.Violations.Count} violations; first: {result.Violations.FirstOrDefault()}");
        Assert.Contains(result.Violations, v => v.Contains("match no state", StringComparison.Ordinal));
    }

    [Fact]
    public void WithAtomicRewritesOff_TornOverwritesCorruptChunks()
    {
        using var harness = new CrashHarness();
        var recorded = harness.Record("overwrite-in-chunk", Workloads.All["overwrite-in-chunk"], atomicRewrites: false);
        var result = harness.Check(recorded, Options with { MaxTornWrites = 40 });
        output.WriteLine($"atomic rewrites off: {result.States} crash states, {result.Violations.Count} violations; first: {result.Violations.FirstOrDefault()}");
        Assert.NotEmpty(result.Violations);
    }
}

/// <summary>Keeps xunit from running the harness classes in parallel with each other on 2 cores.</summary>
public sealed class CrashHarnessFixture;
