using BenchmarkDotNet.Attributes;
using Layered.Journal;
using Microsoft.Win32.SafeHandles;

namespace Layered.Fsd.Bench.Journal;

/// <summary>
/// The physical floor and one durable commit, side by side. The floor is a 4 KiB write to a file opened with
/// O_SYNC (.NET maps <see cref="FileOptions.WriteThrough"/> to O_SYNC on Linux). A journal commit is one durable
/// operation (the log data and the commit trailer of the same preallocated segment, then one fdatasync) plus the
/// hand-offs between the committing, device and waiting threads; issue #3's target is single commit ≤ 2× the floor.
/// Each measured invocation does <see cref="Operations"/> of them in a row (the per-iteration checkpoint forces one
/// invocation per iteration; a single fsync-sized sample per iteration was too noisy to compare).
/// </summary>
[Config(typeof(JournalBenchConfig))]
public class JournalLatencyBenchmarks
{
    private JournalBenchFolder _folder = null!;
    private SafeFileHandle _syncFile = null!;
    private readonly byte[] _block = new byte[4096];

    [GlobalSetup]
    public void Setup()
    {
        _folder = new JournalBenchFolder();
        _syncFile = File.OpenHandle(Path.Combine(_folder.Root, "osync.bin"), FileMode.Create, FileAccess.Write,
            FileShare.None, FileOptions.WriteThrough);
        new Random(1).NextBytes(_block);
        RandomAccess.Write(_syncFile, _block, 0);
    }

    private const int Operations = 100;

    [Benchmark(Baseline = true, Description = "raw O_SYNC 4 KiB write", OperationsPerInvoke = Operations)]
    public void RawOSyncWrite4K()
    {
        for (int i = 0; i < Operations; i++)
            RandomAccess.Write(_syncFile, _block, 0);
    }

    [Benchmark(Description = "append + durable commit, 1 writer", OperationsPerInvoke = Operations)]
    public void SingleWriterDurableCommit()
    {
        var journal = _folder.Journal;
        for (int i = 0; i < Operations; i++)
            journal.Commit(journal.Append(JournalBenchFolder.SmallRecord));
    }

    [IterationCleanup]
    public void Truncate() => _folder.Journal.Checkpoint(_folder.Journal.TailLsn);

    [GlobalCleanup]
    public void Cleanup()
    {
        _syncFile.Dispose();
        _folder.Dispose();
    }
}
