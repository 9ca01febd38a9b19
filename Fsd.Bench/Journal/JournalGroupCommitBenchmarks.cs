using BenchmarkDotNet.Attributes;
using Layered.Journal;

namespace Layered.Fsd.Bench.Journal;

/// <summary>
/// Durable appends per second with N concurrent writers, each appending one record and awaiting its own
/// commit, again and again (group commit shares one physical commit among the writers waiting at the time).
/// One operation = one durable append. Issue #3 target: ≥ 20,000/s with 16 writers.
/// </summary>
[Config(typeof(JournalBenchConfig))]
public class JournalGroupCommitBenchmarks
{
    private const int AppendsPerInvoke = 1024;
    private JournalBenchFolder _folder = null!;

    [Params(1, 4, 16, 64)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup() => _folder = new JournalBenchFolder();

    [Benchmark(OperationsPerInvoke = AppendsPerInvoke, Description = "durable append")]
    public Task DurableAppends()
    {
        var journal = _folder.Journal;
        int perWriter = AppendsPerInvoke / Writers;
        var writers = new Task[Writers];
        for (int w = 0; w < Writers; w++)
        {
            writers[w] = Task.Run(async () =>
            {
                for (int i = 0; i < perWriter; i++)
                    await journal.CommitAsync(journal.Append(JournalBenchFolder.SmallRecord));
            });
        }
        return Task.WhenAll(writers);
    }

    [IterationCleanup]
    public void Truncate() => _folder.Journal.Checkpoint(_folder.Journal.TailLsn);

    [GlobalCleanup]
    public void Cleanup() => _folder.Dispose();
}
