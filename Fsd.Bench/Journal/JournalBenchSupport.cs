using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Layered.Backing;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Fsd.Bench.Journal;

/// <summary>Shared settings of the journal benchmarks: in-process, few iterations (each durable operation costs
/// real fsyncs on a shared 2-core machine), allocations shown.</summary>
internal sealed class JournalBenchConfig : ManualConfig
{
    public JournalBenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(8));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>A journal in a fresh folder of the real disk (the temp folder is on the same ext4 volume here),
/// with the default options except the auto-commit timer, so only the benchmark's own commits count.</summary>
internal sealed class JournalBenchFolder : IDisposable
{
    public JournalBenchFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "layered-journal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Store = new DirectoryBackingStore(Root);
        Journal = WriteAheadJournal.Create(Store, ".layered/journal", Options, NullLogger.Instance);
    }

    public static JournalOptions Options { get; } = new() { AutoCommitInterval = TimeSpan.Zero };

    public string Root { get; }
    public DirectoryBackingStore Store { get; }
    public WriteAheadJournal Journal { get; private set; }

    /// <summary>Closes and reopens the journal (for replay from disk).</summary>
    public void Reopen()
    {
        Journal.Dispose();
        Journal = WriteAheadJournal.Open(Store, ".layered/journal", Options, NullLogger.Instance);
    }

    /// <summary>A typical small metadata record (about 60 bytes encoded).</summary>
    public static SetSizeRecord SmallRecord { get; } = new((UInt128)0x1234_5678_9abc_def0, "dir/file.txt", 123456, 123456);

    public void Dispose()
    {
        Journal.Dispose();
        Store.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
