using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Derives every subkey from the master key with HKDF-SHA256 (RFC 5869): Extract once with the vault id as
/// salt, then one Expand per subkey with a distinct label from <see cref="KdfLabels"/>. Holds only the
/// PRK and the HMAC state keyed with it, both zeroed on Dispose.
/// </summary>
/// <remarks>
/// A subkey of at most 32 bytes is HKDF-Expand's first block, T(1) = HMAC-SHA256(PRK, info || 0x01). Every
/// file open derives one, so <see cref="Derive"/> computes that block from an HMAC state keyed with the PRK once
/// (libsodium, the library NSec loads): a copy of the state, two SHA-256 blocks. The general Expand (NSec, through
/// the runtime's OpenSSL HKDF) builds a KDF context and its parameters per call: 2.3-2.4 µs per file key against
/// 1.1-1.3 µs (FileCipherOpen benchmark). Both give the same bytes (RFC 5869; KeyHierarchyTests, format vectors).
/// </remarks>
internal sealed unsafe class KeyHierarchy : IDisposable
{
    public const int SubkeySize = 32;
    private const int MaxInfoSize = 64;
    private const int HmacSize = 32;

    private static readonly KeyDerivationAlgorithm2 Hkdf = KeyDerivationAlgorithm.HkdfSha256;
    private static readonly int s_hmacStateSize = checked((int)Sodium.crypto_auth_hmacsha256_statebytes());
    private readonly SecretBuffer _prk;
    private readonly SecretBuffer _keyedHmac;

    public KeyHierarchy(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> vaultId)
    {
        _prk = new SecretBuffer(Hkdf.PseudorandomKeySize);
        Hkdf.Extract(masterKey, vaultId, _prk.Span);
        Sodium.EnsureInitialized();
        _keyedHmac = new SecretBuffer(s_hmacStateSize);
        fixed (byte* state = _keyedHmac.Span)
        fixed (byte* prk = _prk.Span)
            Sodium.crypto_auth_hmacsha256_init(state, prk, (nuint)_prk.Length);
    }

    /// <summary>Writes the subkey for <paramref name="label"/> || <paramref name="context"/> into <paramref name="subkey"/>.</summary>
    public void Derive(ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, Span<byte> subkey)
    {
        if (label.Length + context.Length > MaxInfoSize)
            throw new ArgumentException("HKDF info too long", nameof(context));
        Span<byte> info = stackalloc byte[label.Length + context.Length];
        label.CopyTo(info);
        context.CopyTo(info[label.Length..]);
        if (subkey.Length <= HmacSize)
            ExpandOneBlock(info, subkey);
        else
            Hkdf.Expand(_prk.Span, info, subkey);
    }

    /// <summary>HKDF-Expand for an output of one block or less: the first L bytes of HMAC(PRK, info || 0x01).</summary>
    private void ExpandOneBlock(ReadOnlySpan<byte> info, Span<byte> subkey)
    {
        byte* state = stackalloc byte[s_hmacStateSize];
        byte* block = stackalloc byte[HmacSize];
        byte counter = 1;
        try
        {
            _keyedHmac.Span.CopyTo(new Span<byte>(state, s_hmacStateSize));
            fixed (byte* infoBytes = info)
                Sodium.crypto_auth_hmacsha256_update(state, infoBytes, (ulong)info.Length);
            Sodium.crypto_auth_hmacsha256_update(state, &counter, 1);
            Sodium.crypto_auth_hmacsha256_final(state, block);
            new ReadOnlySpan<byte>(block, subkey.Length).CopyTo(subkey);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(new Span<byte>(state, s_hmacStateSize));
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(new Span<byte>(block, HmacSize));
        }
    }

    /// <summary>Derives a subkey and imports it as an NSec key for <paramref name="algorithm"/>; the raw bytes are zeroed.</summary>
    public Key DeriveKey(ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, Algorithm algorithm)
    {
        Span<byte> raw = stackalloc byte[SubkeySize];
        try
        {
            Derive(label, context, raw);
            return Key.Import(algorithm, raw, KeyBlobFormat.RawSymmetricKey);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>Context of per-file keys: cipher kind || file id.</summary>
    public static void WriteFileContext(CipherKind cipher, FileId fileId, Span<byte> context)
    {
        context[0] = (byte)cipher;
        fileId.WriteTo(context[1..]);
    }

    public const int FileContextSize = 1 + FileId.Size;

    public void Dispose()
    {
        _keyedHmac.Dispose();
        _prk.Dispose();
    }
}
