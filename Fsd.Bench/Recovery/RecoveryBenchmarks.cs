using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Layered.Backing;
using Layered.Crypto;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Fsd.Bench.Recovery;

/// <summary>One mount per iteration (state consumed), a few iterations: recovery is seconds, not nanoseconds.</summary>
internal sealed class RecoveryBenchConfig : ManualConfig
{
    public RecoveryBenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Issue #8's recovery target: mount (= recovery) of a vault whose journal holds one million records after its
/// last checkpoint, crashed (the durable state of an in-memory store, so the disk does not dominate). The journal
/// is what a busy volume leaves: size changes on 64 files (ftruncate growth: a size record each), 4 KiB appends
/// (data + size record) and 4 KiB overwrites of stored chunks (a chunk image record each, the atomic rewrite).
/// Measured: Volume.Mount — journal scan and decode, per-file history, image redo, authentication of the chunks
/// the newest states need, orphan sweep and the closing checkpoint. Target: ≤ 2 s.
/// </summary>
[Config(typeof(RecoveryBenchConfig))]
public class RecoveryBenchmarks
{
    private const int Records = 1_000_000;
    private const int Files = 64;
    private const int DataWrites = 8_000; // 4 KiB appends, each one size record
    private const int Overwrites = 8_000; // 4 KiB overwrites, each one chunk image record
    private string _vaultFolder = null!;
    private Vault _vault = null!;
    private InMemoryBackingStore _crashed = null!;
    private InMemoryBackingStore _store = null!;
    private Volume? _mounted;

    [GlobalSetup]
    public void Setup()
    {
        _vaultFolder = Path.Combine(Path.GetTempPath(), "layered-recovery-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_vaultFolder);
        _vault = Vault.Create(_vaultFolder, "bench-password"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly });
        var store = new InMemoryBackingStore();
        Volume.InitializeStore(store, new JournalOptions(), NullLoggerFactory.Instance);
        using (var volume = Volume.Mount(Options(store)))
        {
            var handles = new FileHandle[Files];
            for (int i = 0; i < Files; i++)
            {
                Check(volume.Create($"f{i}", new CreateRequest { Disposition = CreateDisposition.Create, Access = FileAccess2.All }, out var h, out _, out _));
                handles[i] = h!;
            }
            var block = new byte[4096];
            new Random(5).NextBytes(block);
            var random = new Random(7);
            for (int r = 0; r < DataWrites; r++)
                Check(volume.Write(handles[r % Files], 0, block, WriteMode.Append, out _, out _));
            long appended = DataWrites / Files * 4096L;
            for (int r = 0; r < Overwrites; r++)
                Check(volume.Write(handles[r % Files], random.NextInt64(appended / 4096) * 4096, block, WriteMode.AtOffset, out _, out _));
            // The rest: size growth without data (beyond VDL nothing is stored), one record each.
            long[] sizes = new long[Files];
            for (int i = 0; i < Files; i++)
            {
                Check(volume.GetInfo(handles[i], out var info));
                sizes[i] = info.EndOfFile;
            }
            int sizeRecords = Records - DataWrites - Overwrites - Files; // the creates are records too
            for (int r = 0; r < sizeRecords; r++)
                Check(volume.SetFileSize(handles[r % Files], ++sizes[r % Files]));
            foreach (var h in handles)
                Check(volume.Flush(h)); // journal and data durable; no checkpoint: the crash comes next
            _crashed = store.CloneDurableState();
            foreach (var h in handles)
                volume.Release(h);
        }
    }

    private VolumeOptions Options(IBackingStore store) => new()
    {
        Store = store,
        Vault = _vault,
        CheckpointInterval = TimeSpan.Zero,
        MaxRetainedDirtyNodes = int.MaxValue,
    };

    [IterationSetup]
    public void Crash() => _store = _crashed.CloneDurableState();

    [Benchmark(Description = "recovery of 1M journal records (mount)")]
    public long Recover()
    {
        _mounted = Volume.Mount(Options(_store));
        if (_mounted.Recovery.RecordsReplayed < Records || !_mounted.Recovery.Clean)
            throw new InvalidOperationException($"recovery replayed {_mounted.Recovery}");
        return _mounted.Recovery.RecordsReplayed;
    }

    [IterationCleanup]
    public void Unmount()
    {
        _mounted?.Dispose();
        _mounted = null;
        _store.Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _crashed.Dispose();
        _vault.Dispose();
        try { Directory.Delete(_vaultFolder, true); } catch (IOException) { }
    }

    private static FsStatus Check(FsStatus status) =>
        status == FsStatus.Success ? status : throw new InvalidOperationException($"setup step failed: {status}");
}
