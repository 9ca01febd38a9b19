using BenchmarkDotNet.Attributes;

namespace Layered.Fsd.Bench.Journal;

/// <summary>Appends without waiting for durability: encode (CRC-32C) + FasterLog enqueue into the in-memory ring.
/// Full pages are written to disk in the background; the log is truncated after every iteration.</summary>
[Config(typeof(JournalBenchConfig))]
public class JournalAppendBenchmarks
{
    private const int AppendsPerInvoke = 1000;
    private JournalBenchFolder _folder = null!;

    [GlobalSetup]
    public void Setup() => _folder = new JournalBenchFolder();

    [Benchmark(OperationsPerInvoke = AppendsPerInvoke, Description = "in-memory append (~60 B record)")]
    public long InMemoryAppend()
    {
        var journal = _folder.Journal;
        long lsn = 0;
        for (int i = 0; i < AppendsPerInvoke; i++)
            lsn = journal.Append(JournalBenchFolder.SmallRecord);
        return lsn;
    }

    [IterationCleanup]
    public void Truncate() => _folder.Journal.Checkpoint(_folder.Journal.TailLsn);

    [GlobalCleanup]
    public void Cleanup() => _folder.Dispose();
}
