using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;
using Xunit.Abstractions;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// The four races of DESIGN §1, and writes kept ahead of the valid data length racing the write that fills the gap
/// below them and a truncate, each three ways: (a) Coyote explores its schedules on the in-memory store and
/// every one must end in a legal sequential outcome with all views agreeing; (b) the same test with the lock or
/// ordering step it depends on removed (an <see cref="EngineTestSwitches"/> flag) must make Coyote report a bug;
/// (c) real threads on the real directory store, many rounds.
/// A systematic iteration mounts a fresh volume (journal included) and takes about 75 ms on this machine.
///
/// Iteration counts: <see cref="Iterations"/> schedules per race in (a) (half random walk, half PCT; see
/// <see cref="Systematic"/>). In (b) Coyote stops at the first bug; each mutation's bug was found within the
/// first ~20 schedules in every seed tried, so <see cref="MutationIterations"/> leaves a wide margin (a miss
/// fails the test). LAYERED_SOAK=1 multiplies both counts by 20 and the stress rounds by 50.
/// </summary>
[Trait("Area", "Concurrency")]
public class RaceTests(ITestOutputHelper output)
{
    private static readonly bool Soak = Environment.GetEnvironmentVariable("LAYERED_SOAK") == "1";
    private static readonly uint Iterations = Soak ? 10_000u : 500u;
    private static readonly uint MutationIterations = Soak ? 20_000u : 1000u;
    private static readonly int StressRounds = Soak ? 2500 : 50;

    public static TheoryData<string> Races => new() { "rename", "disposition", "truncate", "append", "ahead" };

    private static void RunRace(string race, StoreKind kind, EngineTestSwitches switches, bool realThreads)
    {
        switch (race)
        {
            case "rename": RenameRace.Run(kind, switches, realThreads); break;
            case "disposition": DeleteDispositionRace.Run(kind, switches, realThreads); break;
            case "truncate": TruncateWriteRace.Run(kind, switches, realThreads); break;
            case "append": AppendRace.Run(kind, switches, realThreads); break;
            case "ahead": KeptAheadRace.Run(kind, switches, realThreads); break;
            default: throw new ArgumentException($"unknown race '{race}'", nameof(race));
        }
    }

    /// <summary>The lock or ordering step each race depends on (docs/architecture.md, "Ordering").</summary>
    private static EngineTestSwitches MutationFor(string race) => race switch
    {
        "rename" => new EngineTestSwitches { DisableNamespaceLocks = true },
        // The decision at the last cleanup is ordered twice: under the node lock and under the exclusive lock of
        // the file's directory, which every cleanup that may delete takes (one that cannot decides under the node
        // lock alone, except when either switch is set). Either alone keeps the race legal (Coyote finds no bug
        // with only one removed), so the mutation removes both.
        "disposition" => new EngineTestSwitches { DisableDispositionLock = true, DisableNamespaceLocks = true },
        "truncate" => new EngineTestSwitches { DisableChunkRangeLocks = true },
        "append" => new EngineTestSwitches { DisableNodeSizeLock = true },
        "ahead" => new EngineTestSwitches { DisableChunkRangeLocks = true },
        _ => throw new ArgumentException($"unknown race '{race}'", nameof(race)),
    };

    [Theory]
    [MemberData(nameof(Races))]
    public void EveryScheduleEndsInALegalSequentialOutcome(string race)
    {
        long keptBefore = KeptAheadRace.KeptWrites;
        var result = Systematic.Run(() => RunRace(race, StoreKind.Memory, new EngineTestSwitches(), realThreads: false), Iterations, output);
        Assert.True(result.BugsFound == 0, $"Coyote found a schedule of the {race} race that breaks the ordering: {result.FirstBug}");
        Assert.True(result.IterationsRun >= Iterations, $"only {result.IterationsRun} of {Iterations} schedules ran");
        if (race == "ahead")
            Assert.True(KeptAheadRace.KeptWrites > keptBefore, "no schedule kept a write ahead: the race does not reach what it is about");
    }

    [Theory]
    [MemberData(nameof(Races))]
    public void WithoutItsLockTheRaceIsCaught(string race)
    {
        // The same race with every lock in place completes outside Coyote, so a bug found below comes from the
        // removed lock, not from a broken set-up.
        RunRace(race, StoreKind.Memory, new EngineTestSwitches(), realThreads: false);
        var result = Systematic.Run(() => RunRace(race, StoreKind.Memory, MutationFor(race), realThreads: false), MutationIterations, output);
        Assert.True(result.BugsFound > 0, $"Coyote found no bug in {result.IterationsRun} schedules of the {race} race with its lock removed: the test cannot fail");
    }

    [Theory]
    [MemberData(nameof(Races))]
    public void RealThreadsOnARealFolder(string race)
    {
        for (int round = 0; round < StressRounds; round++)
            RunRace(race, StoreKind.Directory, new EngineTestSwitches(), realThreads: true);
    }

    [Fact]
    public void LegalOutcomeSetsAreWhatTheRacesClaim()
    {
        // The enumerations are the tests' oracle: check them against the hand-derived outcomes.
        Assert.Equal(2, RenameRace.Legal.Value.Count);
        Assert.Single(DeleteDispositionRace.Legal.Value);
        Assert.DoesNotContain("F=", DeleteDispositionRace.Legal.Value.Single());
        Assert.True(TruncateWriteRace.Legal.Value.Count >= 4);
        Assert.Equal(24, AppendRace.Legal.Value.Count);
        // d lies below the truncation point whatever the order; b and c each come before the truncate (cut to 6000)
        // or after it (whole): four contents.
        Assert.Equal(4, KeptAheadRace.Legal.Value.Count);
    }
}
