using BenchmarkDotNet.Attributes;

namespace Layered.Fsd.Bench.Engine;

/// <summary>
/// Where create + write 4 KiB + close spends its time (see docs/benchmarks.md, "What is slow and why"): the same
/// 1000 creates with the size checkpoint kept out of the loop (the volume retains every dirty closed node), and the
/// checkpoint of those 1000 freshly written files on its own. One reported operation is one file.
/// </summary>
[Config(typeof(EngineBatchBenchConfig))]
public class EngineCheckpointBenchmarks
{
    private const int Files = 1000;
    private EngineBenchVolume _bench = null!;
    private readonly byte[] _content = new byte[4096];
    private int _iteration;
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        // No automatic checkpoint: neither the dirty-node bound nor the timer fires while this runs.
        _bench = new EngineBenchVolume(options => new VolumeOptions
        {
            Store = options.Store, Vault = options.Vault, MaxRetainedDirtyNodes = int.MaxValue, CheckpointInterval = TimeSpan.Zero,
        });
        new Random(5).NextBytes(_content);
    }

    private void CreateFiles()
    {
        var volume = _bench.Volume;
        for (int i = 0; i < Files; i++)
        {
            string name = $"{_dir}/file-{i:D5}.dat";
            var handle = _bench.Open(name, EngineBenchVolume.CreateNew);
            EngineBenchVolume.Check(volume.Write(handle, 0, _content, WriteMode.AtOffset, out _, out _), name);
            volume.Release(handle);
        }
    }

    private void NewDirectory()
    {
        _dir = $"it{_iteration++}";
        EngineBenchVolume.Check(_bench.Volume.CreateDirectory(_dir, Backing.UnixMode.DefaultDirectory, -1, -1, out _), _dir);
    }

    [IterationSetup(Target = nameof(CreateWithoutCheckpoint))]
    public void BeforeCreate()
    {
        _bench.Volume.Checkpoint(); // start each iteration with no dirty node left from the last
        NewDirectory();
    }

    [IterationSetup(Target = nameof(CheckpointOfFreshFiles))]
    public void BeforeCheckpoint()
    {
        _bench.Volume.Checkpoint();
        NewDirectory();
        CreateFiles();
    }

    [Benchmark(OperationsPerInvoke = Files, Description = "create + write 4 KiB + close, checkpoint deferred")]
    public void CreateWithoutCheckpoint() => CreateFiles();

    [Benchmark(OperationsPerInvoke = Files, Description = "checkpoint of 1000 just-written 4 KiB files")]
    public void CheckpointOfFreshFiles() => _bench.Volume.Checkpoint();

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();
}
