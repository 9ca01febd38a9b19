using System.Buffers.Binary;
using Layered.Crypto;
using NSec.Cryptography;
using Xunit;

namespace Layered.Crypto.Tests;

/// <summary>
/// The direct libsodium path for file contents must produce exactly what NSec's Aead.Encrypt produces for the
/// same key, nonce and AAD (stored chunks stay byte-identical), and must refuse anything tampered.
/// </summary>
[Trait("Area", "Crypto")]
public sealed unsafe class ContentAeadTests
{
    [Theory]
    [InlineData(CipherKind.Aegis256, 0)]
    [InlineData(CipherKind.Aegis256, 1)]
    [InlineData(CipherKind.Aegis256, 45)]
    [InlineData(CipherKind.Aegis256, 65536)]
    [InlineData(CipherKind.Aes256Gcm, 0)]
    [InlineData(CipherKind.Aes256Gcm, 1)]
    [InlineData(CipherKind.Aes256Gcm, 4099)]
    [InlineData(CipherKind.Aes256Gcm, 65536)]
    public void Output_is_byte_identical_to_NSec_and_each_decrypts_the_other(CipherKind cipher, int length)
    {
        AeadAlgorithm nsec = cipher == CipherKind.Aegis256 ? AeadAlgorithm.Aegis256 : AeadAlgorithm.Aes256Gcm;
        byte[] rawKey = StoredFile.RandomContent(32, length + 1);
        byte[] nonce = StoredFile.RandomContent(cipher.NonceSize(), length + 2);
        byte[] aad = StoredFile.RandomContent(24, length + 3);
        byte[] plain = StoredFile.RandomContent(length, length + 4);

        using var key = Key.Import(nsec, rawKey, KeyBlobFormat.RawSymmetricKey);
        byte[] expected = nsec.Encrypt(key, nonce, aad, plain);
        var actual = new byte[length + cipher.TagSize()];
        fixed (byte* k = rawKey)
        {
            ContentAead.Encrypt(cipher, k, nonce, aad, plain, actual);
            Assert.Equal(expected, actual);

            var back = new byte[length];
            Assert.True(ContentAead.Decrypt(cipher, k, nonce, aad, expected, back));
            Assert.Equal(plain, back);
        }
        var fromNsec = new byte[length];
        Assert.True(nsec.Decrypt(key, nonce, aad, actual, fromNsec));
        Assert.Equal(plain, fromNsec);
    }

    [Theory]
    [InlineData(CipherKind.Aegis256)]
    [InlineData(CipherKind.Aes256Gcm)]
    public void Any_flipped_bit_of_ciphertext_tag_nonce_aad_or_key_fails(CipherKind cipher)
    {
        byte[] rawKey = StoredFile.RandomContent(32, 10);
        byte[] nonce = StoredFile.RandomContent(cipher.NonceSize(), 11);
        byte[] aad = StoredFile.RandomContent(24, 12);
        byte[] plain = StoredFile.RandomContent(300, 13);
        var sealedBytes = new byte[plain.Length + cipher.TagSize()];
        var output = new byte[plain.Length];
        fixed (byte* k = rawKey)
        {
            ContentAead.Encrypt(cipher, k, nonce, aad, plain, sealedBytes);
            // Every byte of the ciphertext and tag, one bit each.
            for (int i = 0; i < sealedBytes.Length; i++)
            {
                sealedBytes[i] ^= (byte)(1 << (i % 8));
                Assert.False(ContentAead.Decrypt(cipher, k, nonce, aad, sealedBytes, output), $"stored byte {i} flipped");
                sealedBytes[i] ^= (byte)(1 << (i % 8));
            }
            nonce[^1] ^= 1;
            Assert.False(ContentAead.Decrypt(cipher, k, nonce, aad, sealedBytes, output), "nonce flipped");
            nonce[^1] ^= 1;
            aad[0] ^= 0x80;
            Assert.False(ContentAead.Decrypt(cipher, k, nonce, aad, sealedBytes, output), "aad flipped");
            aad[0] ^= 0x80;
            Assert.False(ContentAead.Decrypt(cipher, k, nonce, aad, sealedBytes.AsSpan(0, sealedBytes.Length - 1), output.AsSpan(0, output.Length - 1)), "truncated");
            rawKey[5] ^= 4;
            Assert.False(ContentAead.Decrypt(cipher, k, nonce, aad, sealedBytes, output), "key flipped");
            rawKey[5] ^= 4;
            Assert.True(ContentAead.Decrypt(cipher, k, nonce, aad, sealedBytes, output));
        }
        Assert.Equal(plain, output);
    }

    [Fact]
    public void Wrong_lengths_are_argument_errors()
    {
        byte[] rawKey = GC.AllocateArray<byte>(32, pinned: true);
        byte* k = (byte*)System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(rawKey, 0);
        {
            Assert.Throws<ArgumentException>(() => ContentAead.Encrypt(CipherKind.Aegis256, k, new byte[12], default, new byte[10], new byte[42]));
            Assert.Throws<ArgumentException>(() => ContentAead.Encrypt(CipherKind.Aegis256, k, new byte[32], default, new byte[10], new byte[41]));
            Assert.Throws<ArgumentException>(() => ContentAead.Decrypt(CipherKind.Aes256Gcm, k, new byte[12], default, new byte[26], new byte[11]));
            Assert.False(ContentAead.Decrypt(CipherKind.Aes256Gcm, k, new byte[12], default, new byte[15], new byte[0]));
        }
        GC.KeepAlive(rawKey);
    }

    /// <summary>
    /// The whole file path: a chunk from <see cref="FileCipher"/> equals nonce || NSec's Aead.Encrypt under the
    /// file key derived the documented way (HKDF label "file content", context cipher || file id) with AAD
    /// file id || chunk index.
    /// </summary>
    [Theory]
    [InlineData(CipherKind.Aegis256)]
    [InlineData(CipherKind.Aes256Gcm)]
    public void File_cipher_chunk_equals_NSec_under_the_derived_file_key(CipherKind cipher)
    {
        byte[] masterKey = StoredFile.RandomContent(32, 20);
        var vaultId = (UInt128)0x0123456789abcdefUL << 64 | 0xfedcba9876543210UL;
        var config = new VaultConfig("test", vaultId, cipher, 4096, KdfParameters.ForTestsOnly, new byte[16], new byte[32], new byte[64]);
        FileId fileId = FileId.NewRandom();
        byte[] plain = StoredFile.RandomContent(4096, 21);
        byte[] nonce = StoredFile.RandomContent(cipher.NonceSize(), 22);
        const long chunkIndex = 9;

        using var vault = Vault.FromMasterKey(config, masterKey);
        using var fileCipher = vault.OpenFileCipher(fileId);
        var stored = new byte[plain.Length + fileCipher.Layout.Overhead];
        fileCipher.EncryptChunkWithNonce(chunkIndex, nonce, plain, stored);

        var vaultIdBytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(vaultIdBytes, vaultId);
        using var keys = new KeyHierarchy(masterKey, vaultIdBytes);
        var context = new byte[KeyHierarchy.FileContextSize];
        KeyHierarchy.WriteFileContext(cipher, fileId, context);
        AeadAlgorithm nsec = cipher == CipherKind.Aegis256 ? AeadAlgorithm.Aegis256 : AeadAlgorithm.Aes256Gcm;
        using Key fileKey = keys.DeriveKey(KdfLabels.FileContent, context, nsec);
        var aad = new byte[FileCipher.AadSize];
        fileId.WriteTo(aad);
        BinaryPrimitives.WriteUInt64LittleEndian(aad.AsSpan(FileId.Size), chunkIndex);
        byte[] expected = [.. nonce, .. nsec.Encrypt(fileKey, nonce, aad, plain)];

        Assert.Equal(expected, stored);
    }
}
