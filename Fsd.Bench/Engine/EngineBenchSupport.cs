using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Layered.Backing;
using Layered.Crypto;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Fsd.Bench.Engine;

/// <summary>
/// Engine benchmarks put each engine operation next to the same operation on a plain folder with FileStream/File
/// (the baseline of its category), so BenchmarkDotNet's Ratio column is "engine time / raw time" in one run.
/// In-process, few iterations: every invocation does real file I/O on a 2-core machine shared with builds.
/// </summary>
internal sealed class EngineBenchConfig : ManualConfig
{
    public EngineBenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(8));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        AddColumn(CategoriesColumn.Default);
        Orderer = new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared);
    }
}

/// <summary>For benchmarks whose invocation consumes state (files to delete, a fresh folder to fill): one long
/// invocation per iteration, so [IterationSetup] can prepare that state outside the measured time.</summary>
internal sealed class EngineBatchBenchConfig : ManualConfig
{
    public EngineBatchBenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(10)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        AddColumn(CategoriesColumn.Default);
        Orderer = new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared);
    }
}

/// <summary>
/// A mounted volume over a vault in a fresh folder of the real disk (DirectoryBackingStore), and a plain folder
/// beside it on the same file system for the raw baseline. Default vault options (AEGIS-256, 4 KiB chunks) and
/// default journal options: what `layered init` + `layered mount` give. Only the password KDF is the test one.
/// </summary>
internal sealed class EngineBenchVolume : IDisposable
{
    private readonly string _root;

    public EngineBenchVolume(Func<VolumeOptions, VolumeOptions>? configure = null)
    {
        _root = Path.Combine(Path.GetTempPath(), "layered-engine-bench", Guid.NewGuid().ToString("N"));
        VaultRoot = Path.Combine(_root, "vault");
        RawRoot = Path.Combine(_root, "raw");
        Directory.CreateDirectory(VaultRoot);
        Directory.CreateDirectory(RawRoot);
        Vault = Vault.Create(VaultRoot, "bench-password"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly });
        Store = new DirectoryBackingStore(VaultRoot);
        Volume.InitializeStore(Store, new JournalOptions(), NullLoggerFactory.Instance);
        var options = new VolumeOptions { Store = Store, Vault = Vault };
        Volume = Volume.Mount(configure?.Invoke(options) ?? options);
    }

    public string VaultRoot { get; }
    public string RawRoot { get; }
    public Vault Vault { get; }
    public DirectoryBackingStore Store { get; }
    public Volume Volume { get; }

    public string Raw(string relative) => Path.Combine(RawRoot, relative);

    public static readonly CreateRequest CreateNew = new() { Disposition = CreateDisposition.Create, Access = FileAccess2.ReadWrite };
    public static readonly CreateRequest Truncating = new() { Disposition = CreateDisposition.OverwriteIf, Access = FileAccess2.ReadWrite };
    public static readonly CreateRequest OpenForRead = new() { Disposition = CreateDisposition.Open, Access = FileAccess2.Read };
    public static readonly CreateRequest OpenForWrite = new() { Disposition = CreateDisposition.Open, Access = FileAccess2.ReadWrite };

    public FileHandle Open(string path, CreateRequest request)
    {
        var status = Volume.Create(path, request, out var handle, out _, out _);
        Check(status, path);
        return handle!;
    }

    public static void Check(FsStatus status, string what)
    {
        if (status != FsStatus.Success)
            throw new InvalidOperationException($"engine returned {status} for '{what}'");
    }

    /// <summary>Writes a file of the given size through the engine and on the raw folder (setup, not measured).</summary>
    public void WriteBoth(string relative, long size, ReadOnlySpan<byte> block)
    {
        var handle = Open(relative, Truncating);
        using var raw = new FileStream(Raw(relative), FileMode.Create, FileAccess.Write, FileShare.None, 0);
        for (long offset = 0; offset < size; offset += block.Length)
        {
            Check(Volume.Write(handle, offset, block, WriteMode.AtOffset, out _, out _), relative);
            raw.Write(block);
        }
        Check(Volume.Flush(handle), relative);
        Volume.Release(handle);
        raw.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        Volume.Dispose();
        Store.Dispose();
        Vault.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
