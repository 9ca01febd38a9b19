using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>The AEAD that protects file contents and blobs. The numeric value is stored in the vault config.</summary>
public enum CipherKind : byte
{
    /// <summary>AEGIS-256: 32-byte random nonce (safe to draw at random forever), 32-byte tag. The default.</summary>
    Aegis256 = 1,

    /// <summary>AES-256-GCM: 12-byte random nonce, 16-byte tag. Keys are per file so random nonces stay far
    /// below the 2^32 messages-per-key limit. Needs AES-NI (libsodium refuses it otherwise).</summary>
    Aes256Gcm = 2,
}

/// <summary>Names used on the command line and in messages, and the NSec algorithm for each kind.</summary>
public static class CipherKinds
{
    public static string Name(this CipherKind kind) => kind switch
    {
        CipherKind.Aegis256 => "aegis256",
        CipherKind.Aes256Gcm => "aes256gcm",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), (byte)kind, "unknown cipher kind"),
    };

    public static bool TryParse(string name, out CipherKind kind)
    {
        switch (name.ToLowerInvariant())
        {
            case "aegis256": kind = CipherKind.Aegis256; return true;
            case "aes256gcm": kind = CipherKind.Aes256Gcm; return true;
            default: kind = default; return false;
        }
    }

    public static bool IsDefined(CipherKind kind) => kind is CipherKind.Aegis256 or CipherKind.Aes256Gcm;

    /// <summary>False when this machine cannot run the cipher (AES-256-GCM without AES-NI).</summary>
    public static bool IsSupported(this CipherKind kind) => kind switch
    {
        CipherKind.Aegis256 => true,
        CipherKind.Aes256Gcm => Aes256Gcm.IsSupported,
        _ => false,
    };

    internal static AeadAlgorithm Algorithm(this CipherKind kind) => kind switch
    {
        CipherKind.Aegis256 => AeadAlgorithm.Aegis256,
        CipherKind.Aes256Gcm => AeadAlgorithm.Aes256Gcm,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), (byte)kind, "unknown cipher kind"),
    };

    public static int NonceSize(this CipherKind kind) => kind switch
    {
        CipherKind.Aegis256 => 32,
        CipherKind.Aes256Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), (byte)kind, "unknown cipher kind"),
    };

    public static int TagSize(this CipherKind kind) => kind switch
    {
        CipherKind.Aegis256 => 32,
        CipherKind.Aes256Gcm => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), (byte)kind, "unknown cipher kind"),
    };
}
