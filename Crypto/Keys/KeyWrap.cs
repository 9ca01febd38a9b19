using System.Security.Cryptography;
using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Wraps the master key under the password key with AEGIS-256 (always available in libsodium, random
/// 32-byte nonce), AAD = the config's first 64 bytes so no parameter can be changed without the password.
/// </summary>
internal static class KeyWrap
{
    public const int MasterKeySize = 32;
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.Aegis256;

    public static void Wrap(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> aad, Span<byte> nonce, Span<byte> wrapped)
    {
        RandomNumberGenerator.Fill(nonce);
        WrapWithNonce(wrappingKey, masterKey, aad, nonce, wrapped);
    }

    /// <summary>Wrap with a caller-chosen nonce: for format test vectors only.</summary>
    internal static void WrapWithNonce(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> nonce, Span<byte> wrapped)
    {
        using Key key = Key.Import(Aead, wrappingKey, KeyBlobFormat.RawSymmetricKey);
        Aead.Encrypt(key, nonce, aad, masterKey, wrapped);
    }

    /// <summary>The master key, or null when the wrapping key (the password) is wrong.</summary>
    public static SecretBuffer? Unwrap(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> wrapped)
    {
        using Key key = Key.Import(Aead, wrappingKey, KeyBlobFormat.RawSymmetricKey);
        var master = new SecretBuffer(MasterKeySize);
        if (wrapped.Length == MasterKeySize + Aead.TagSize && Aead.Decrypt(key, nonce, aad, wrapped, master.Span))
            return master;
        master.Dispose();
        return null;
    }
}
