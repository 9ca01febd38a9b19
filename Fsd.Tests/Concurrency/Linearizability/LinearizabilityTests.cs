using System.Text;
using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;
using Layered.Journal;
using Xunit.Abstractions;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// Linearizability of the engine, with the journal as the witness (issue #5). Seeded workloads on 4 threads over
/// four names; every record is tied to the call that appended it by the engine's append observer
/// (<see cref="EngineTestSwitches.AppendObserver"/>), and the observed records must be exactly the durable journal
/// (read without closing the volume: see <see cref="RaceVolume.ReadJournal"/>). Writes kept ahead of the valid data
/// length, which append nothing when decided, are tied to their call and placed among the records by the kept-ahead
/// observer (<see cref="EngineTestSwitches.KeptAheadObserver"/>). A failure names the seed, both
/// operations of the violation and a history shrunk to the operations that still show it.
/// </summary>
[Trait("Area", "Engine")]
public class LinearizabilityTests(ITestOutputHelper output)
{
    private static readonly bool Soak = Environment.GetEnvironmentVariable("LAYERED_SOAK") == "1";
    private const int Threads = 4;
    private const int OpsPerThread = 150;

    /// <summary>Runs one seeded workload; null when it is linearizable in journal order, else the report. Counts
    /// the writes it kept ahead of the valid data length and the size records that made kept writes valid.</summary>
    private static string? RunSeed(int seed, string? mutation = null) => RunSeed(seed, mutation, out _, out _);

    private static string? RunSeed(int seed, string? mutation, out int keptAhead, out int madeValid)
    {
        var tap = new AppendTap();
        var switches = new EngineTestSwitches
        {
            DisableNamespaceLocks = mutation == nameof(EngineTestSwitches.DisableNamespaceLocks),
            AppendObserver = tap.Observe,
            KeptAheadObserver = tap.ObserveKeptAhead,
        };
        using var rv = new RaceVolume(StoreKind.Memory, switches);
        var history = Workload.Run(rv.Volume, seed, Threads, OpsPerThread);
        var durable = rv.ReadJournal(); // appends the harness's marker records: take the observed list after it
        var observed = tap.InLsnOrder();
        keptAhead = observed.Count(o => o.Keep is not null);
        madeValid = 0;
        string? journalMismatch = CompareWithDurableJournal(observed, durable);
        if (journalMismatch is not null)
            return $"seed {seed}: {journalMismatch}";

        var outcome = WitnessChecker.Check(history, observed);
        madeValid = outcome.MadeValid;
        if (outcome.Violation is { } violation)
            return Report(seed, history, observed, violation);

        // (iii) the model's final state is what the live volume and a fresh mount of the backing store show, and
        // every orphan was freed by the last close of its file.
        string expected = FinalState(outcome.Final);
        string live = VolumeState(rv.Volume);
        int orphans = rv.OrphanCount();
        rv.RemountContents();
        string fresh = VolumeState(rv.Volume);
        if (expected != live || expected != fresh)
            return $"seed {seed}: the journal's final state [{expected}] differs from the live volume [{live}] or a fresh mount [{fresh}]";
        if (orphans != 0)
            return $"seed {seed}: {orphans} orphan(s) left in .layered/orphans after every handle was closed";
        return null;
    }

    /// <summary>The observed appends must be the journal recovery would read, record for record.</summary>
    private static string? CompareWithDurableJournal(List<AppendedRecord> observed, List<JournalEntry> durable)
    {
        var journal = durable.Where(e => e.Record is not CheckpointRecord).ToList();
        observed = observed.Where(o => o.Keep is null).ToList(); // kept-ahead writes have no record
        if (journal.Count != observed.Count)
            return $"the observer saw {observed.Count} records, the durable journal holds {journal.Count}";
        for (int i = 0; i < journal.Count; i++)
            if (journal[i].Lsn != observed[i].Lsn || RecordText.Describe(journal[i].Record) != RecordText.Describe(observed[i].Record!))
                return $"record {i}: observed {observed[i]}, the journal holds lsn {journal[i].Lsn} {RecordText.Describe(journal[i].Record)}";
        return null;
    }

    /// <summary>Each workload name with its size, permission bits and which names are links of one file.</summary>
    private static string FinalState(NamespaceModel model)
    {
        var names = Workload.Names.Where(model.Exists).ToList();
        return string.Join(";", names.Select(n => $"{n}:{model.Visible(model.Names[n])}:{Convert.ToString(model.Mode[model.Names[n]], 8)}" +
            $":{names.First(m => model.Names[m] == model.Names[n])}"));
    }

    private static string VolumeState(Volume volume)
    {
        var infos = new Dictionary<string, FileInformation>();
        foreach (var name in Workload.Names)
            if (volume.GetInfo(name, out var info) == FsStatus.Success)
                infos[name] = info;
        var names = infos.Keys.ToList();
        return string.Join(";", names.Select(n => $"{n}:{infos[n].EndOfFile}:{Convert.ToString((uint)infos[n].Mode & 0x1FF, 8)}" +
            $":{names.First(m => infos[m].InodeNumber == infos[n].InodeNumber)}"));
    }

    private static string Report(int seed, List<HistoryOp> history, List<AppendedRecord> journal, Violation v)
    {
        var minimal = HistoryShrinker.Shrink(history, journal, v, TimeSpan.FromSeconds(20));
        var text = new StringBuilder($"seed {seed}: violation of {v.Rule}: {v.Message}\n");
        foreach (int id in new[] { v.OpA, v.OpB }.Where(id => id >= 0))
            text.AppendLine($"  operation: {history[id]}");
        text.AppendLine($"  minimal history ({minimal.Count} of {history.Count} operations, the same violation):");
        foreach (var o in minimal)
            text.AppendLine((o.Id == v.OpA || o.Id == v.OpB ? "  > " : "    ") + o);
        return text.ToString();
    }

    [Fact]
    public void SeededWorkloadsAreLinearizableInJournalOrder()
    {
        // A seed (600 operations) takes about 70 ms: 50 seeds run in a few seconds, the soak's 2000 in about two
        // minutes (2026-12-07: 18,192 writes kept ahead, 12,554 made valid). LAYERED_LIN_SEED=n reruns one seed.
        var seeds = Environment.GetEnvironmentVariable("LAYERED_LIN_SEED") is { } one ? [int.Parse(one)]
            : Enumerable.Range(1, Soak ? 2000 : 50);
        var failures = new List<string>();
        int keptAhead = 0, madeValid = 0;
        foreach (int seed in seeds.TakeWhile(_ => failures.Count < 3))
        {
            if (RunSeed(seed, null, out int kept, out int valid) is { } failure)
                failures.Add(failure);
            keptAhead += kept;
            madeValid += valid;
        }
        foreach (var f in failures)
            output.WriteLine(f);
        output.WriteLine($"{keptAhead} writes kept ahead of the valid data length, {madeValid} size records made kept writes valid");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The workload's chunk-aligned offsets beyond the valid data must reach the kept-ahead path and its ends.
        if (seeds.Count() > 1)
            Assert.True(keptAhead > 0 && madeValid > 0, $"{keptAhead} writes kept ahead, {madeValid} made valid: the workload no longer exercises them");
    }

    [Theory]
    [InlineData(nameof(EngineTestSwitches.DisableNamespaceLocks))]
    public void WithALockRemovedTheCheckerFails(string mutation)
    {
        // Without the namespace locks, journal order and backing-store order can differ and lookups see
        // half-applied changes. Each seed is a different workload and timing varies, so several are tried (the
        // first usually fails). Removing the node size lock is NOT reliably caught here with real threads (its
        // window is a few instructions; 40 seeds passed): the Coyote append and truncate races prove that lock.
        string? failure = null;
        for (int seed = 1; seed <= 40 && failure is null; seed++)
            failure = RunSeed(seed, mutation);
        output.WriteLine(failure ?? "no failure");
        Assert.True(failure is not null, $"the linearizability checker accepted 40 workloads run with {mutation}: it cannot fail");
    }
}
