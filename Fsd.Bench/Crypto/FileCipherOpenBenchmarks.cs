using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Layered.Crypto;
using NSec.Cryptography;

namespace Layered.Fsd.Bench.Crypto;

/// <summary>
/// What opening and closing one file's cipher costs: <see cref="Vault.OpenFileCipher"/> (HKDF-Expand of the file
/// key into a slot of the vault's locked key arena) then Dispose, next to the former path in the same run:
/// the same HKDF-Expand imported as an NSec key (libsodium sodium_malloc: mmap, mprotect, mlock; sodium_free:
/// munlock, munmap), kept here only as the baseline.
/// </summary>
[Config(typeof(Settings))]
public class FileCipherOpenBenchmarks
{
    private readonly byte[] _masterKey = new byte[32];
    private Vault _vault = null!;
    private KeyHierarchy _keys = null!;
    private FileId _fileId;
    private AeadAlgorithm _aead = null!;

    [Params(CipherKind.Aegis256, CipherKind.Aes256Gcm)]
    public CipherKind Cipher { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_masterKey);
        var config = new VaultConfig("bench", UInt128.One, Cipher, 4096, KdfParameters.ForTestsOnly, new byte[16], new byte[32], new byte[64]);
        _vault = Vault.FromMasterKey(config, _masterKey);
        var vaultId = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(vaultId, config.VaultId);
        _keys = new KeyHierarchy(_masterKey, vaultId);
        _fileId = FileId.NewRandom();
        _aead = Cipher == CipherKind.Aegis256 ? AeadAlgorithm.Aegis256 : AeadAlgorithm.Aes256Gcm;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _keys.Dispose();
        _vault.Dispose();
        CryptographicOperations.ZeroMemory(_masterKey);
    }

    [Benchmark(Baseline = true)]
    public void NSecKeyOpenDispose()
    {
        Span<byte> context = stackalloc byte[KeyHierarchy.FileContextSize];
        KeyHierarchy.WriteFileContext(Cipher, _fileId, context);
        _keys.DeriveKey(KdfLabels.FileContent, context, _aead).Dispose();
    }

    [Benchmark]
    public void FileCipherOpenDispose() => _vault.OpenFileCipher(_fileId).Dispose();

    /// <summary>In-process and short, like the chunk codec benchmark: the machine is shared.</summary>
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
