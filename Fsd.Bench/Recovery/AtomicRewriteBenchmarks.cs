using BenchmarkDotNet.Attributes;
using Layered.Fsd.Bench.Engine;

namespace Layered.Fsd.Bench.Recovery;

/// <summary>
/// What atomic chunk rewrites cost: 4 KiB overwrites at random 4 KiB-aligned offsets of an existing 64 MiB file
/// on the real disk, with the mechanism on (image journaled, in-place write held until a commit covers it) and
/// off (in place at once, tearable), in one run. Two patterns: no fsync (the held overwrites are written back
/// when they pass the threshold), and an fsync after every 16 writes (write-back at each fsync). One reported
/// operation is one write.
/// </summary>
[Config(typeof(EngineBenchConfig))]
public class AtomicRewriteBenchmarks
{
    private const int WriteSize = 4096;
    private const long FileSize = 64L << 20;
    private const int WritesPerInvoke = 512;
    private const string FileName = "overwrite.bin";
    private EngineBenchVolume _bench = null!;
    private byte[] _block = null!;
    private long[] _offsets = null!;
    private FileHandle _handle = null!;

    [Params(true, false)]
    public bool AtomicChunkRewrites { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        bool atomic = AtomicChunkRewrites;
        _bench = new EngineBenchVolume(o => new VolumeOptions
        {
            Store = o.Store,
            Vault = o.Vault,
            AtomicChunkRewrites = atomic,
        });
        _block = new byte[WriteSize];
        new Random(3).NextBytes(_block);
        _bench.WriteBoth(FileName, FileSize, new byte[1 << 20]);
        var random = new Random(11);
        _offsets = new long[WritesPerInvoke];
        for (int i = 0; i < _offsets.Length; i++)
            _offsets[i] = random.NextInt64(FileSize / WriteSize) * WriteSize;
        _handle = _bench.Open(FileName, EngineBenchVolume.OpenForWrite);
    }

    [BenchmarkCategory("4 KiB random overwrite"), Benchmark(OperationsPerInvoke = WritesPerInvoke, Description = "no fsync")]
    public void Overwrite()
    {
        var volume = _bench.Volume;
        foreach (long offset in _offsets)
            EngineBenchVolume.Check(volume.Write(_handle, offset, _block, WriteMode.AtOffset, out _, out _), FileName);
    }

    [BenchmarkCategory("4 KiB random overwrite"), Benchmark(OperationsPerInvoke = WritesPerInvoke, Description = "fsync every 16")]
    public void OverwriteWithFsync()
    {
        var volume = _bench.Volume;
        for (int i = 0; i < _offsets.Length; i++)
        {
            EngineBenchVolume.Check(volume.Write(_handle, _offsets[i], _block, WriteMode.AtOffset, out _, out _), FileName);
            if (i % 16 == 15)
                EngineBenchVolume.Check(volume.Flush(_handle), FileName);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bench.Volume.Release(_handle);
        _bench.Dispose();
    }
}
