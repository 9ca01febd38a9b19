using System.Security.Cryptography;
using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Seals small values that belong to a file (symlink target, xattr value, security descriptor):
/// sealed = nonce || ciphertext || tag with the vault's cipher, a key per owner file
/// (HKDF label "layered/v1 blob"), and AAD = owner file id || caller's context (e.g. the xattr name), so a
/// value cannot be moved to another file or another attribute. Thread-safe.
/// </summary>
public sealed class BlobCipher
{
    /// <summary>Largest value accepted: WinFsp security descriptors and xattrs stay far below it.</summary>
    public const int MaxPlaintextLength = 1 << 20;

    private const int MaxContextLength = 1024;

    private readonly KeyHierarchy _keys;
    private readonly CipherKind _cipher;
    private readonly AeadAlgorithm _aead;

    internal BlobCipher(KeyHierarchy keys, CipherKind cipher)
    {
        _keys = keys;
        _cipher = cipher;
        _aead = cipher.Algorithm();
    }

    /// <summary>Stored bytes added to every sealed value.</summary>
    public int Overhead => _aead.NonceSize + _aead.TagSize;

    public byte[] Seal(FileId owner, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length > MaxPlaintextLength)
            throw new ArgumentException($"a sealed value holds at most {MaxPlaintextLength} bytes", nameof(plaintext));
        CheckContext(context);
        var result = new byte[_aead.NonceSize + plaintext.Length + _aead.TagSize];
        Span<byte> nonce = result.AsSpan(0, _aead.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using Key key = OwnerKey(owner);
        Span<byte> aad = stackalloc byte[FileId.Size + context.Length];
        WriteAad(owner, context, aad);
        _aead.Encrypt(key, nonce, aad, plaintext, result.AsSpan(_aead.NonceSize));
        return result;
    }

    public byte[] Open(FileId owner, ReadOnlySpan<byte> context, ReadOnlySpan<byte> sealedValue, string fileNameForErrors)
    {
        CheckContext(context);
        if (sealedValue.Length < Overhead)
            throw new BlobAuthenticationException(fileNameForErrors, $"only {sealedValue.Length} bytes, a sealed value has at least {Overhead}");
        var plaintext = new byte[sealedValue.Length - Overhead];
        using Key key = OwnerKey(owner);
        Span<byte> aad = stackalloc byte[FileId.Size + context.Length];
        WriteAad(owner, context, aad);
        if (!_aead.Decrypt(key, sealedValue[.._aead.NonceSize], aad, sealedValue[_aead.NonceSize..], plaintext))
            throw new BlobAuthenticationException(fileNameForErrors, "tag mismatch (tampered, or moved from another file or attribute)");
        return plaintext;
    }

    private Key OwnerKey(FileId owner)
    {
        if (owner.IsEmpty)
            throw new ArgumentException("a sealed value needs an owner file id", nameof(owner));
        Span<byte> context = stackalloc byte[KeyHierarchy.FileContextSize];
        KeyHierarchy.WriteFileContext(_cipher, owner, context);
        return _keys.DeriveKey(KdfLabels.Blob, context, _aead);
    }

    private static void CheckContext(ReadOnlySpan<byte> context)
    {
        if (context.Length > MaxContextLength)
            throw new ArgumentException($"context longer than {MaxContextLength} bytes", nameof(context));
    }

    private static void WriteAad(FileId owner, ReadOnlySpan<byte> context, Span<byte> aad)
    {
        owner.WriteTo(aad);
        context.CopyTo(aad[FileId.Size..]);
    }
}
