using BenchmarkDotNet.Attributes;

namespace Layered.Fsd.Bench.Engine;

/// <summary>
/// Sequential write and read of a 64 MiB file in 1 MiB requests (the FUSE host's max_write), through the engine
/// and with FileStream on the raw folder. Each reported operation is one MiB, so MB/s = 1 / mean time in µs × 10^6
/// / 2^20 × 2^20 (i.e. MiB/s = 10^6 / mean µs). The write includes the fsync at the end (engine Flush = data
/// fsync + journal commit), as `dd conv=fsync` does; reads hit the page cache on both sides, or, in the
/// "cache dropped" category, start with the file's pages evicted on both sides.
/// </summary>
[Config(typeof(EngineBenchConfig))]
public class EngineStreamingBenchmarks
{
    private const int BlockSize = 1 << 20;
    private const int Blocks = 64;
    private const string WriteFile = "stream-write.bin";
    private const string ReadFile = "stream-read.bin";
    private EngineBenchVolume _bench = null!;
    private byte[] _block = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = new EngineBenchVolume();
        _block = new byte[BlockSize];
        new Random(7).NextBytes(_block);
        _bench.WriteBoth(ReadFile, (long)Blocks * BlockSize, _block);
        // Clean pages only can be evicted: make both files durable once.
        PageCache.Sync(_bench.Raw(ReadFile));
        PageCache.Sync(Path.Combine(_bench.VaultRoot, ReadFile));
    }

    [BenchmarkCategory("sequential write 1 MiB + fsync"), Benchmark(Baseline = true, OperationsPerInvoke = Blocks, Description = "raw FileStream")]
    public void RawSequentialWrite()
    {
        using var stream = new FileStream(_bench.Raw(WriteFile), FileMode.Create, FileAccess.Write, FileShare.None, 0);
        for (int i = 0; i < Blocks; i++)
            stream.Write(_block);
        stream.Flush(flushToDisk: true);
    }

    [BenchmarkCategory("sequential write 1 MiB + fsync"), Benchmark(OperationsPerInvoke = Blocks, Description = "engine")]
    public void EngineSequentialWrite()
    {
        var volume = _bench.Volume;
        var handle = _bench.Open(WriteFile, EngineBenchVolume.Truncating);
        for (int i = 0; i < Blocks; i++)
            EngineBenchVolume.Check(volume.Write(handle, (long)i * BlockSize, _block, WriteMode.AtOffset, out _, out _), WriteFile);
        EngineBenchVolume.Check(volume.Flush(handle), WriteFile);
        volume.Release(handle);
    }

    [BenchmarkCategory("sequential read 1 MiB"), Benchmark(Baseline = true, OperationsPerInvoke = Blocks, Description = "raw FileStream")]
    public int RawSequentialRead()
    {
        using var stream = new FileStream(_bench.Raw(ReadFile), FileMode.Open, FileAccess.Read, FileShare.Read, 0);
        int total = 0;
        for (int i = 0; i < Blocks; i++)
            total += stream.ReadAtLeast(_block, BlockSize, throwOnEndOfStream: true);
        return total;
    }

    [BenchmarkCategory("sequential read 1 MiB"), Benchmark(OperationsPerInvoke = Blocks, Description = "engine")]
    public int EngineSequentialRead()
    {
        var volume = _bench.Volume;
        var handle = _bench.Open(ReadFile, EngineBenchVolume.OpenForRead);
        int total = 0;
        for (int i = 0; i < Blocks; i++)
        {
            EngineBenchVolume.Check(volume.Read(handle, (long)i * BlockSize, _block, out int read), ReadFile);
            total += read;
        }
        volume.Release(handle);
        return total;
    }

    // The same reads from the disk: each invocation first evicts the file's pages (posix_fadvise DONTNEED on the
    // raw file, on the vault's backing file for the engine), as the workload runner drops caches before its
    // streaming read. Hot reads compare decryption with a page-cache memcpy (~30 GiB/s here), which no encrypting
    // layer approaches; cold reads compare the whole path a user's first read of a file takes.
    [BenchmarkCategory("sequential read 1 MiB, cache dropped"), Benchmark(Baseline = true, OperationsPerInvoke = Blocks, Description = "raw FileStream")]
    public int RawColdSequentialRead()
    {
        PageCache.Evict(_bench.Raw(ReadFile));
        return RawSequentialRead();
    }

    [BenchmarkCategory("sequential read 1 MiB, cache dropped"), Benchmark(OperationsPerInvoke = Blocks, Description = "engine")]
    public int EngineColdSequentialRead()
    {
        PageCache.Evict(Path.Combine(_bench.VaultRoot, ReadFile));
        return EngineSequentialRead();
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();
}
