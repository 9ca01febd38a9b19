using BenchmarkDotNet.Attributes;

namespace Layered.Fsd.Bench.Journal;

/// <summary>Replay of one million small records from a reopened journal: FasterLog scan, CRC-32C, decode and
/// the journal's gap/sequence checks. One operation = one record. Issue #3 target: ≥ 2 million records/s.</summary>
[Config(typeof(JournalBenchConfig))]
public class JournalReplayBenchmarks
{
    private const int Records = 1_000_000;
    private JournalBenchFolder _folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = new JournalBenchFolder();
        var journal = _folder.Journal;
        for (int i = 0; i < Records - 1; i++) // plus the checkpoint record Create wrote
            journal.Append(JournalBenchFolder.SmallRecord);
        journal.Commit(journal.LastLsn);
        _folder.Reopen();
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "replay")]
    public long Replay()
    {
        long count = 0;
        foreach (var entry in _folder.Journal.ReadForReplay())
            count += entry.Sequence > 0 ? 1 : 0;
        if (count != Records)
            throw new InvalidOperationException($"replayed {count} records, expected {Records}");
        return count;
    }

    [GlobalCleanup]
    public void Cleanup() => _folder.Dispose();
}
