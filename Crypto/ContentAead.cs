namespace Layered.Crypto;

/// <summary>
/// AEGIS-256 and AES-256-GCM on a raw 32-byte key that lives in a <see cref="KeyArena"/> slot, straight
/// through libsodium in combined mode (ciphertext || tag), which is exactly what NSec's Aead.Encrypt produces,
/// so stored chunks are byte-identical to the NSec path. Used only for file contents: the key stays in locked
/// arena memory instead of a libsodium guarded allocation per file.
/// </summary>
internal static unsafe class ContentAead
{
    public const int KeySize = 32;

    private static readonly bool s_aesGcmAvailable = AesGcmAvailable();

    /// <summary>Throws when this machine cannot run <paramref name="cipher"/> (libsodium's AES-256-GCM needs AES-NI
    /// or ARM crypto; it must never be called without it). The vault refuses such vaults earlier; this guards the
    /// internal paths (test vectors, benchmarks) too.</summary>
    public static void EnsureSupported(CipherKind cipher)
    {
        Sodium.EnsureInitialized();
        switch (cipher)
        {
            case CipherKind.Aegis256:
                return;
            case CipherKind.Aes256Gcm when s_aesGcmAvailable:
                return;
            case CipherKind.Aes256Gcm:
                throw new PlatformNotSupportedException("aes256gcm is not supported on this machine (AES-256-GCM needs AES-NI); use aegis256");
            default:
                throw new ArgumentOutOfRangeException(nameof(cipher), (byte)cipher, "unknown cipher kind");
        }
    }

    /// <summary>Writes ciphertext || tag (plaintext.Length + TagSize bytes) into <paramref name="ciphertext"/>.</summary>
    public static void Encrypt(CipherKind cipher, byte* key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (nonce.Length != cipher.NonceSize())
            throw new ArgumentException($"{cipher.Name()} needs a {cipher.NonceSize()}-byte nonce, got {nonce.Length}", nameof(nonce));
        if (ciphertext.Length != plaintext.Length + cipher.TagSize())
            throw new ArgumentException($"ciphertext must be {plaintext.Length + cipher.TagSize()} bytes, got {ciphertext.Length}", nameof(ciphertext));
        // libsodium allows in-place (same start) but not a shifted overlap: the same rule NSec enforces.
        if (ciphertext.Overlaps(plaintext, out int offset) && offset != 0)
            throw new ArgumentException("ciphertext overlaps plaintext at a different offset", nameof(ciphertext));
        ulong written;
        int result;
        fixed (byte* c = ciphertext)
        fixed (byte* m = plaintext)
        fixed (byte* ad = aad)
        fixed (byte* npub = nonce)
        {
            result = cipher == CipherKind.Aegis256
                ? Sodium.crypto_aead_aegis256_encrypt(c, &written, m, (ulong)plaintext.Length, ad, (ulong)aad.Length, null, npub, key)
                : Sodium.crypto_aead_aes256gcm_encrypt(c, &written, m, (ulong)plaintext.Length, ad, (ulong)aad.Length, null, npub, key);
        }
        if (result != 0 || written != (ulong)ciphertext.Length)
            throw new InvalidOperationException($"libsodium {cipher.Name()} encryption failed");
    }

    /// <summary>Authenticates and decrypts ciphertext || tag into <paramref name="plaintext"/> (exactly
    /// ciphertext.Length - TagSize bytes). False when the tag does not match.</summary>
    public static bool Decrypt(CipherKind cipher, byte* key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (nonce.Length != cipher.NonceSize())
            throw new ArgumentException($"{cipher.Name()} needs a {cipher.NonceSize()}-byte nonce, got {nonce.Length}", nameof(nonce));
        if (ciphertext.Length < cipher.TagSize())
            return false;
        if (plaintext.Length != ciphertext.Length - cipher.TagSize())
            throw new ArgumentException($"plaintext must be {ciphertext.Length - cipher.TagSize()} bytes, got {plaintext.Length}", nameof(plaintext));
        if (plaintext.Overlaps(ciphertext, out int offset) && offset != 0)
            throw new ArgumentException("plaintext overlaps ciphertext at a different offset", nameof(plaintext));
        ulong written;
        int result;
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        fixed (byte* ad = aad)
        fixed (byte* npub = nonce)
        {
            result = cipher == CipherKind.Aegis256
                ? Sodium.crypto_aead_aegis256_decrypt(m, &written, null, c, (ulong)ciphertext.Length, ad, (ulong)aad.Length, npub, key)
                : Sodium.crypto_aead_aes256gcm_decrypt(m, &written, null, c, (ulong)ciphertext.Length, ad, (ulong)aad.Length, npub, key);
        }
        return result == 0;
    }

    private static bool AesGcmAvailable()
    {
        Sodium.EnsureInitialized();
        return Sodium.crypto_aead_aes256gcm_is_available() == 1;
    }
}
