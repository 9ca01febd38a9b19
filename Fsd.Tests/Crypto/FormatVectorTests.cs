using System.Text;
using System.Text.RegularExpressions;
using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

/// <summary>
/// docs/format.md carries test vectors (lines "vector.NAME = HEX"). This recomputes each from its fixed
/// inputs with the real code and compares, so the document and the implementation cannot drift apart.
/// </summary>
[Trait("Area", "Crypto")]
public sealed partial class FormatVectorTests
{
    // The fixed inputs, as written in docs/format.md §Test vectors.
    private static readonly byte[] MasterKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly UInt128 VaultId = UInt128.Parse("f0e0d0c0b0a090807060504030201000", System.Globalization.NumberStyles.HexNumber);
    private static readonly FileId TestFileId = FileId.Read(Enumerable.Range(0x10, 16).Select(i => (byte)i).ToArray());
    private static readonly byte[] Password = "password"u8.ToArray();
    private static readonly byte[] Salt = Enumerable.Range(0x40, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] WrapNonce = Enumerable.Range(0x60, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] ChunkNonce = Enumerable.Range(0xa0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] ChunkPlaintext = "Layered chunk test vector #1, 45 bytes long.."u8.ToArray();

    [Fact]
    public void Document_vectors_match_the_implementation()
    {
        Dictionary<string, string> documented = ReadDocumentedVectors();
        Dictionary<string, string> computed = Compute();
        var report = new StringBuilder();
        foreach (var (name, hex) in computed)
        {
            if (!documented.TryGetValue(name, out string? doc) || doc != hex)
                report.AppendLine($"    vector.{name} = {hex}    (document has: {doc ?? "nothing"})");
        }
        foreach (string name in documented.Keys.Except(computed.Keys))
            report.AppendLine($"    vector.{name} is documented but not checked");
        Assert.True(report.Length == 0, "docs/format.md disagrees with the code:\n" + report);
    }

    [Fact]
    public void The_documented_config_unlocks_with_the_documented_password()
    {
        string root = Path.Combine(Path.GetTempPath(), "layered-crypto-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(VaultLayout.MetaDirectory(root));
        try
        {
            File.WriteAllBytes(VaultLayout.ConfigPath(root), Convert.FromHexString(ReadDocumentedVectors()["config"]));
            using var vault = Vault.Unlock(root, Password);
            using var cipher = vault.OpenFileCipher(TestFileId);
            var plain = new byte[ChunkPlaintext.Length];
            Assert.True(cipher.TryDecryptChunk(1, Convert.FromHexString(ReadDocumentedVectors()["chunk.aegis256"]), plain));
            Assert.Equal(ChunkPlaintext, plain);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Dictionary<string, string> Compute()
    {
        var result = new Dictionary<string, string>();
        using (var keys = new KeyHierarchy(MasterKey, Convert.FromHexString(VaultId.ToString("x32"))))
        {
            var key = new byte[32];
            keys.Derive(KdfLabels.HeaderMac, default, key);
            result["key.header-mac"] = Hex(key);
            keys.Derive(KdfLabels.Names, default, key);
            result["key.names"] = Hex(key);
            var context = new byte[KeyHierarchy.FileContextSize];
            foreach (var cipher in new[] { CipherKind.Aegis256, CipherKind.Aes256Gcm })
            {
                KeyHierarchy.WriteFileContext(cipher, TestFileId, context);
                keys.Derive(KdfLabels.FileContent, context, key);
                result[$"key.file-content.{cipher.Name()}"] = Hex(key);
                keys.Derive(KdfLabels.Blob, context, key);
                result[$"key.blob.{cipher.Name()}"] = Hex(key);
            }
        }

        using (SecretBuffer wrappingKey = PasswordKdf.DeriveWrappingKey(Password, Salt, KdfParameters.ForTestsOnly))
        {
            result["key.wrapping"] = Hex(wrappingKey.Span);
            var aad = new byte[VaultConfigFormat.WrapAadLength];
            VaultConfigFormat.WriteParameters(aad, VaultId, CipherKind.Aegis256, 4096, KdfParameters.ForTestsOnly, Salt);
            var wrapped = new byte[VaultConfigFormat.WrappedKeyLength];
            KeyWrap.WrapWithNonce(wrappingKey.Span, MasterKey, aad, WrapNonce, wrapped);
            var config = new VaultConfig("vector", VaultId, CipherKind.Aegis256, 4096, KdfParameters.ForTestsOnly, Salt, WrapNonce, wrapped);
            result["config"] = Hex(VaultConfigFormat.Encode(config));
        }

        foreach (var cipher in new[] { CipherKind.Aegis256, CipherKind.Aes256Gcm })
        {
            var config = new VaultConfig("vector", VaultId, cipher, 4096, KdfParameters.ForTestsOnly, Salt, WrapNonce, new byte[64]);
            using var vault = Vault.FromMasterKey(config, MasterKey);
            if (cipher == CipherKind.Aegis256)
            {
                var header = new byte[FileHeader.Size];
                vault.Headers.Encode(new FileHeader(TestFileId, 5000, 4096, 42, HeaderFlags.None), header);
                result["header"] = Hex(header);
            }
            using var fileCipher = vault.OpenFileCipher(TestFileId);
            var stored = new byte[ChunkPlaintext.Length + fileCipher.Layout.Overhead];
            fileCipher.EncryptChunkWithNonce(1, ChunkNonce.AsSpan(0, fileCipher.Layout.NonceSize), ChunkPlaintext, stored);
            result[$"chunk.{cipher.Name()}"] = Hex(stored);
        }
        return result;
    }

    private static Dictionary<string, string> ReadDocumentedVectors()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "format.md"));
        var vectors = new Dictionary<string, string>();
        foreach (Match m in VectorLine().Matches(doc))
            vectors[m.Groups[1].Value] = m.Groups[2].Value.ToLowerInvariant();
        return vectors;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Layered.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("cannot find Layered.sln above " + AppContext.BaseDirectory);
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    [GeneratedRegex(@"^\s*vector\.(\S+)\s*=\s*([0-9a-fA-F]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex VectorLine();
}
