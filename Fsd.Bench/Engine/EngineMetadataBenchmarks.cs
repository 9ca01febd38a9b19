using BenchmarkDotNet.Attributes;

namespace Layered.Fsd.Bench.Engine;

/// <summary>
/// Metadata operations on 1000 files per iteration, through the engine and with File/FileStream on the raw
/// folder: create + write 4 KiB + close, stat, rename (POSIX, same directory) and unlink. One reported operation
/// is one file, so operations/s = 10^9 / mean ns. Each iteration works in a fresh directory prepared outside the
/// measured time (the files it creates, renames or deletes are made or removed by [IterationSetup]).
/// </summary>
[Config(typeof(EngineBatchBenchConfig))]
public class EngineMetadataBenchmarks
{
    private const int Files = 1000;
    private const string CreateCategory = "create + write 4 KiB + close";
    private const string StatCategory = "stat";
    private const string RenameCategory = "rename";
    private const string UnlinkCategory = "unlink";
    private EngineBenchVolume _bench = null!;
    private readonly byte[] _content = new byte[4096];
    private int _iteration;
    private string _dir = "";
    private string[] _names = [];
    private string[] _renamed = [];
    private string[] _rawNames = [];
    private string[] _rawRenamed = [];

    [GlobalSetup]
    public void Setup()
    {
        _bench = new EngineBenchVolume();
        new Random(5).NextBytes(_content);
    }

    private void NewDirectory(bool populateEngine, bool populateRaw)
    {
        _dir = $"it{_iteration++}";
        EngineBenchVolume.Check(_bench.Volume.CreateDirectory(_dir, Backing.UnixMode.DefaultDirectory, -1, -1, out _), _dir);
        Directory.CreateDirectory(_bench.Raw(_dir));
        _names = new string[Files];
        _renamed = new string[Files];
        _rawNames = new string[Files];
        _rawRenamed = new string[Files];
        for (int i = 0; i < Files; i++)
        {
            _names[i] = $"{_dir}/file-{i:D5}.dat";
            _renamed[i] = $"{_dir}/renamed-{i:D5}.dat";
            _rawNames[i] = _bench.Raw(_names[i]);
            _rawRenamed[i] = _bench.Raw(_renamed[i]);
        }
        if (populateEngine)
            foreach (var name in _names)
                EngineCreateOne(name);
        if (populateRaw)
            foreach (var name in _rawNames)
                RawCreateOne(name);
        if (populateEngine || populateRaw)
        {
            // The files exist before the measured operations, as a user's files do: the engine's are checkpointed
            // and both sides' data written back now, so neither a background checkpoint the population set off
            // nor the kernel's write-back of 2 × 1,000 new files runs inside the measured loop.
            _bench.Volume.Checkpoint();
            PageCache.SyncAll();
        }
    }

    private void EngineCreateOne(string name)
    {
        var volume = _bench.Volume;
        var handle = _bench.Open(name, EngineBenchVolume.CreateNew);
        EngineBenchVolume.Check(volume.Write(handle, 0, _content, WriteMode.AtOffset, out _, out _), name);
        volume.Release(handle);
    }

    private void RawCreateOne(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        stream.Write(_content);
    }

    [IterationSetup(Targets = [nameof(RawCreate), nameof(EngineCreate)])]
    public void EmptyDirectory() => NewDirectory(populateEngine: false, populateRaw: false);

    [IterationSetup(Targets = [nameof(RawStat), nameof(EngineStat), nameof(RawRename), nameof(EngineRename), nameof(RawUnlink), nameof(EngineUnlink)])]
    public void PopulatedDirectory() => NewDirectory(populateEngine: true, populateRaw: true);

    [BenchmarkCategory(CreateCategory), Benchmark(Baseline = true, OperationsPerInvoke = Files, Description = "raw FileStream")]
    public void RawCreate()
    {
        foreach (var path in _rawNames)
            RawCreateOne(path);
    }

    [BenchmarkCategory(CreateCategory), Benchmark(OperationsPerInvoke = Files, Description = "engine")]
    public void EngineCreate()
    {
        foreach (var name in _names)
            EngineCreateOne(name);
    }

    [BenchmarkCategory(StatCategory), Benchmark(Baseline = true, OperationsPerInvoke = Files, Description = "raw FileInfo")]
    public long RawStat()
    {
        long total = 0;
        foreach (var path in _rawNames)
            total += new FileInfo(path).Length;
        return total;
    }

    [BenchmarkCategory(StatCategory), Benchmark(OperationsPerInvoke = Files, Description = "engine GetInfo(path)")]
    public long EngineStat()
    {
        var volume = _bench.Volume;
        long total = 0;
        foreach (var name in _names)
        {
            EngineBenchVolume.Check(volume.GetInfo(name, out var info), name);
            total += info.EndOfFile;
        }
        return total;
    }

    [BenchmarkCategory(RenameCategory), Benchmark(Baseline = true, OperationsPerInvoke = Files, Description = "raw File.Move")]
    public void RawRename()
    {
        // overwrite: true is a plain rename(2); without it .NET checks the target first.
        for (int i = 0; i < Files; i++)
            File.Move(_rawNames[i], _rawRenamed[i], overwrite: true);
    }

    [BenchmarkCategory(RenameCategory), Benchmark(OperationsPerInvoke = Files, Description = "engine")]
    public void EngineRename()
    {
        var volume = _bench.Volume;
        for (int i = 0; i < Files; i++)
            EngineBenchVolume.Check(volume.Rename(_names[i], _renamed[i], RenameFlags.Replace), _names[i]);
    }

    [BenchmarkCategory(UnlinkCategory), Benchmark(Baseline = true, OperationsPerInvoke = Files, Description = "raw File.Delete")]
    public void RawUnlink()
    {
        foreach (var path in _rawNames)
            File.Delete(path);
    }

    [BenchmarkCategory(UnlinkCategory), Benchmark(OperationsPerInvoke = Files, Description = "engine")]
    public void EngineUnlink()
    {
        var volume = _bench.Volume;
        foreach (var name in _names)
            EngineBenchVolume.Check(volume.Unlink(name), name);
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();
}
