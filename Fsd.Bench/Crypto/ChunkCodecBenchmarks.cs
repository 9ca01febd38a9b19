using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Layered.Crypto;
using NSec.Cryptography;

namespace Layered.Fsd.Bench.Crypto;

/// <summary>
/// One chunk through <see cref="FileCipher"/> next to the bare NSec AEAD call on the same key, AAD and sizes,
/// in the same run, so the ratio shows what the codec adds (random nonce, AAD, length checks).
/// Issue #2 target: codec >= 85% of raw throughput (ratio <= 1.18) and zero allocations.
/// </summary>
[Config(typeof(Settings))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ChunkCodecBenchmarks
{
    private Vault _vault = null!;
    private FileCipher _cipher = null!;
    private Key _rawKey = null!;
    private AeadAlgorithm _aead = null!;
    private byte[] _plain = null!;
    private byte[] _stored = null!;
    private byte[] _rawStored = null!;
    private byte[] _output = null!;
    private byte[] _nonce = null!;
    private byte[] _aad = null!;

    [Params(CipherKind.Aegis256, CipherKind.Aes256Gcm)]
    public CipherKind Cipher { get; set; }

    [Params(4096, 65536)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var masterKey = new byte[32];
        new Random(1).NextBytes(masterKey);
        var config = new VaultConfig("bench", UInt128.One, Cipher, ChunkSize, KdfParameters.ForTestsOnly, new byte[16], new byte[32], new byte[64]);
        _vault = Vault.FromMasterKey(config, masterKey);
        _cipher = _vault.OpenFileCipher(FileId.NewRandom());
        _aead = Cipher == CipherKind.Aegis256 ? AeadAlgorithm.Aegis256 : AeadAlgorithm.Aes256Gcm;
        _rawKey = Key.Create(_aead);
        _plain = new byte[ChunkSize];
        new Random(2).NextBytes(_plain);
        _stored = new byte[ChunkSize + _cipher.Layout.Overhead];
        _output = new byte[ChunkSize];
        _nonce = new byte[_aead.NonceSize];
        _aad = new byte[FileId.Size + sizeof(ulong)];
        _cipher.EncryptChunk(7, _plain, _stored);
        _rawStored = new byte[ChunkSize + _aead.TagSize];
        _aead.Encrypt(_rawKey, _nonce, _aad, _plain, _rawStored);
        if (!RawAeadDecrypt() || !CodecDecrypt())
            throw new InvalidOperationException("benchmark setup: decryption must succeed, or the timings mean nothing");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cipher.Dispose();
        _rawKey.Dispose();
        _vault.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Encrypt")]
    public void RawAeadEncrypt() => _aead.Encrypt(_rawKey, _nonce, _aad, _plain, _rawStored);

    [Benchmark, BenchmarkCategory("Encrypt")]
    public void CodecEncrypt() => _cipher.EncryptChunk(7, _plain, _stored);

    [Benchmark(Baseline = true), BenchmarkCategory("Decrypt")]
    public bool RawAeadDecrypt() => _aead.Decrypt(_rawKey, _nonce, _aad, _rawStored, _output);

    [Benchmark, BenchmarkCategory("Decrypt")]
    public bool CodecDecrypt() => _cipher.TryDecryptChunk(7, _stored, _output);

    /// <summary>In-process (no separate build of the bench project), short: the machine is shared.</summary>
    private sealed class Settings : ManualConfig
    {
        public Settings()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(10));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}
