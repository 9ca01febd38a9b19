using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;

namespace Layered.Fsd.Bench.Engine;

/// <summary>
/// 4 KiB writes at random 4 KiB-aligned offsets inside an existing 64 MiB file (no fsync), through the engine
/// (each one a read-modify-free whole-chunk overwrite with the default 4 KiB chunks) and with RandomAccess.Write on
/// the raw folder. One reported operation is one write, so writes/s = 10^9 / mean ns.
/// </summary>
[Config(typeof(EngineBenchConfig))]
public class EngineRandomWriteBenchmarks
{
    private const int WriteSize = 4096;
    private const long FileSize = 64L << 20;
    private const int WritesPerInvoke = 1000;
    private const string FileName = "random.bin";
    private EngineBenchVolume _bench = null!;
    private byte[] _block = null!;
    private long[] _offsets = null!;
    private FileHandle _engineHandle = null!;
    private SafeFileHandle _rawHandle = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = new EngineBenchVolume();
        _block = new byte[WriteSize];
        new Random(3).NextBytes(_block);
        var fill = new byte[1 << 20];
        _bench.WriteBoth(FileName, FileSize, fill);
        var random = new Random(11);
        _offsets = new long[WritesPerInvoke];
        for (int i = 0; i < _offsets.Length; i++)
            _offsets[i] = random.NextInt64(FileSize / WriteSize) * WriteSize;
        _engineHandle = _bench.Open(FileName, EngineBenchVolume.OpenForWrite);
        _rawHandle = File.OpenHandle(_bench.Raw(FileName), FileMode.Open, FileAccess.ReadWrite);
    }

    [BenchmarkCategory("random write 4 KiB"), Benchmark(Baseline = true, OperationsPerInvoke = WritesPerInvoke, Description = "raw RandomAccess")]
    public void RawRandomWrite()
    {
        foreach (long offset in _offsets)
            RandomAccess.Write(_rawHandle, _block, offset);
    }

    [BenchmarkCategory("random write 4 KiB"), Benchmark(OperationsPerInvoke = WritesPerInvoke, Description = "engine")]
    public void EngineRandomWrite()
    {
        var volume = _bench.Volume;
        foreach (long offset in _offsets)
            EngineBenchVolume.Check(volume.Write(_engineHandle, offset, _block, WriteMode.AtOffset, out _, out _), FileName);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bench.Volume.Release(_engineHandle);
        _rawHandle.Dispose();
        _bench.Dispose();
    }
}
