using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.SystematicTesting;
using Xunit.Abstractions;

namespace Layered.Concurrency.Tests.Harness;

/// <summary>
/// Runs one race under Coyote's systematic testing engine. Each iteration runs the race body once with Coyote
/// deciding every interleaving at each scheduling point (the engine's Monitor locks and waits, task starts and
/// joins, and the store seam of <see cref="InterleavingStore"/>). Field reads and writes are scheduling points too
/// (memory-access race checking), so an unlocked read-modify-write (e.g. a count decremented without the node
/// lock) can be split. Two strategies share the iterations:
/// <list type="bullet">
/// <item>Coyote's default portfolio (fair mode), seeded: it rotates random walk and probabilistic/prioritization
/// strategies across iterations (finds shallow races fast);</item>
/// <item>prioritization (PCT, unfair): random priorities with a few priority changes per iteration, so schedules
/// with a small number of preemptions at any depth are found with good probability.</item>
/// </list>
/// The seed is fixed per strategy, so a run is reproducible; a bug report carries the reproducing trace.
/// </summary>
public static class Systematic
{
    public sealed record Result(int BugsFound, string FirstBug, uint IterationsRun);

    public static Result Run(Action body, uint iterations, ITestOutputHelper? output = null, uint seed = 20261125)
    {
        uint half = Math.Max(1, iterations / 2);
        var portfolio = Configuration.Create()
            .WithTestingIterations(half)
            .WithRandomGeneratorSeed(seed)
            .WithMemoryAccessRaceCheckingEnabled(true)
            .WithVerbosityEnabled(VerbosityLevel.None)
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithPartiallyControlledConcurrencyAllowed(true)
            .WithMaxSchedulingSteps(20000)
            .WithDeadlockTimeout(5000);
        var first = RunOne(portfolio, body, output, "portfolio");
        if (first.BugsFound > 0)
            return first;
        var pct = Configuration.Create()
            .WithTestingIterations(iterations - half)
            .WithRandomGeneratorSeed(seed + 1)
            .WithPrioritizationStrategy(false, 5)
            .WithMemoryAccessRaceCheckingEnabled(true)
            .WithVerbosityEnabled(VerbosityLevel.None)
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithPartiallyControlledConcurrencyAllowed(true)
            .WithMaxSchedulingSteps(20000)
            .WithDeadlockTimeout(5000);
        var second = RunOne(pct, body, output, "prioritization");
        return second with { IterationsRun = first.IterationsRun + second.IterationsRun };
    }

    private static Result RunOne(Configuration configuration, Action body, ITestOutputHelper? output, string strategy)
    {
        using var engine = TestingEngine.Create(configuration, body);
        engine.Run();
        var report = engine.TestReport;
        string bug = report.BugReports.FirstOrDefault() ?? "";
        output?.WriteLine($"{strategy}: {report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths} schedules, {report.NumOfFoundBugs} bug(s) {bug}");
        return new Result(report.NumOfFoundBugs, bug, (uint)(report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths));
    }
}
