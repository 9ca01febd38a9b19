using Layered.Backing;
using Layered.Fsd;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Layered.Crash.Tests;

/// <summary>
/// DESIGN §1 race 4 under crashes, with real concurrency: threads append distinct records to one file at once and
/// fsync. The order the engine chose is read back from the file (each record is recognisable), and is the
/// witness: after any crash the file must hold exactly the first m records of that order, m covering every record
/// an fsync that returned before the cut made durable, and no record that had not started.
/// </summary>
[Trait("Area", "Crash")]
public sealed class ConcurrentAppendCrashTests(ITestOutputHelper output)
{
    private const int Threads = 3, AppendsPerThread = 3;

    private static byte[] Record(int thread, int k) => Workloads.Pattern(700 + thread * 1500 + k * 333, 1000 + thread * 10 + k);

    [Fact]
    public void ConcurrentAppendsAreAWholePrefixOfTheWitnessOrderAfterEveryCrash()
    {
        using var harness = new CrashHarness();
        var store = new RecordingBackingStore(new InMemoryBackingStore());
        Volume.InitializeStore(store, CrashHarness.JournalOptions, NullLoggerFactory.Instance);
        store.Mark("initialized");
        var volume = harness.Mount(store);
        var ctx = new WorkloadContext(volume);
        ctx.Volume.Release(ctx.Open("log", CreateDisposition.Create));
        WorkloadContext.Ok(volume.FlushVolume(), "sync");
        using (var start = new Barrier(Threads))
        {
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                var h = ctx.Open("log");
                start.SignalAndWait();
                for (int k = 0; k < AppendsPerThread; k++)
                {
                    store.Mark($"begin {t}.{k}");
                    WorkloadContext.Ok(volume.Write(h, 0, Record(t, k), WriteMode.Append, out _, out _), "append");
                    store.Mark($"end {t}.{k}");
                }
                WorkloadContext.Ok(volume.Flush(h), "fsync");
                store.Mark($"fsynced {t}");
                volume.Release(h);
            })).ToList();
            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());
        }
        var final = new List<string>();
        var witness = Witness(ReadLog(volume, final));
        Assert.Empty(final);
        Assert.Equal(Threads * AppendsPerThread, witness.Count);
        volume.Dispose();

        var marks = store.Recording.Operations.Where(o => o.Kind == RecordedOperationKind.Marker).ToDictionary(o => o.Label!, o => o.Index);
        int states = 0;
        var violations = new List<string>();
        foreach (var state in new CrashStateGenerator(store.Recording, new CrashStateOptions { MaxStates = 400 }).Enumerate())
        {
            if (state.CutIndex <= marks["initialized"])
                continue;
            states++;
            using var crashed = state.Materialize();
            using var recovered = harness.Mount(crashed);
            var problems = new List<string>();
            var content = ReadLog(recovered, problems);
            int m = 0, at = 0;
            while (m < witness.Count && at + witness[m].Length <= content.Length && content.AsSpan(at, witness[m].Length).SequenceEqual(witness[m].Bytes))
                at += witness[m++].Length;
            if (at != content.Length)
                problems.Add($"the file ({content.Length} bytes) is not a whole prefix of the append order (matched {m} records, {at} bytes)");
            int required = 0;
            for (int t = 0; t < Threads; t++)
                if (marks[$"fsynced {t}"] < state.CutIndex)
                    required = Math.Max(required, witness.FindIndex(r => r.Thread == t && r.K == AppendsPerThread - 1) + 1);
            if (m < required)
                problems.Add($"only {m} records survived, but an fsync that returned covered {required}");
            for (int i = 0; i < m; i++)
                if (marks[$"begin {witness[i].Thread}.{witness[i].K}"] >= state.CutIndex)
                    problems.Add($"record {witness[i].Thread}.{witness[i].K} is there but had not started");
            violations.AddRange(problems.Select(p => $"[{state.Description}] {p}"));
        }
        output.WriteLine($"concurrent appends: order {string.Join(" ", witness.Select(r => $"{r.Thread}.{r.K}"))}; {states} crash states, {violations.Count} violations");
        foreach (var v in violations.Take(10))
            output.WriteLine(v);
        Assert.True(states > 20, $"only {states} crash states");
        Assert.Empty(violations);
    }

    private sealed record Appended(int Thread, int K, byte[] Bytes)
    {
        public int Length => Bytes.Length;
    }

    /// <summary>The order the records landed in, read from the file: each record's bytes are unique.</summary>
    private static List<Appended> Witness(byte[] content)
    {
        var all = Enumerable.Range(0, Threads).SelectMany(t => Enumerable.Range(0, AppendsPerThread).Select(k => new Appended(t, k, Record(t, k)))).ToList();
        var order = new List<Appended>();
        int at = 0;
        while (at < content.Length)
        {
            var next = all.Single(r => at + r.Length <= content.Length && content.AsSpan(at, r.Length).SequenceEqual(r.Bytes));
            order.Add(next);
            at += next.Length;
        }
        return order;
    }

    private static byte[] ReadLog(Volume volume, List<string> problems)
    {
        var view = EngineView.Capture(volume, problems);
        return view.Paths.TryGetValue("log", out var node) ? node.Data : [];
    }
}
