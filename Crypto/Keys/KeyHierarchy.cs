using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Derives every subkey from the master key with HKDF-SHA256 (RFC 5869): Extract once with the vault id as
/// salt, then one Expand per subkey with a distinct label from <see cref="KdfLabels"/>. Holds only the
/// PRK, zeroed on Dispose.
/// </summary>
internal sealed class KeyHierarchy : IDisposable
{
    public const int SubkeySize = 32;
    private const int MaxInfoSize = 64;

    private static readonly KeyDerivationAlgorithm2 Hkdf = KeyDerivationAlgorithm.HkdfSha256;
    private readonly SecretBuffer _prk;

    public KeyHierarchy(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> vaultId)
    {
        _prk = new SecretBuffer(Hkdf.PseudorandomKeySize);
        Hkdf.Extract(masterKey, vaultId, _prk.Span);
    }

    /// <summary>Writes the subkey for <paramref name="label"/> || <paramref name="context"/> into <paramref name="subkey"/>.</summary>
    public void Derive(ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, Span<byte> subkey)
    {
        if (label.Length + context.Length > MaxInfoSize)
            throw new ArgumentException("HKDF info too long", nameof(context));
        Span<byte> info = stackalloc byte[label.Length + context.Length];
        label.CopyTo(info);
        context.CopyTo(info[label.Length..]);
        Hkdf.Expand(_prk.Span, info, subkey);
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

    public void Dispose() => _prk.Dispose();
}
