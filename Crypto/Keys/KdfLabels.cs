namespace Layered.Crypto;

/// <summary>
/// The HKDF-SHA256 "info" labels that separate subkeys of the master key (docs/format.md §Keys).
/// Every subkey = HKDF-Expand(PRK, label || context, 32) with PRK = HKDF-Extract(salt = vault id, IKM = master key).
/// Distinct labels make the subkeys independent; changing one changes the format.
/// </summary>
internal static class KdfLabels
{
    /// <summary>Header MAC key (HMAC-SHA256). Context: none.</summary>
    public static ReadOnlySpan<byte> HeaderMac => "layered/v1 header-mac"u8;

    /// <summary>Per-file content key. Context: cipher kind (1 byte) || file id (16 bytes).</summary>
    public static ReadOnlySpan<byte> FileContent => "layered/v1 file-content"u8;

    /// <summary>Per-owner blob key (symlink targets, xattr values, security descriptors).
    /// Context: cipher kind (1 byte) || owner file id (16 bytes).</summary>
    public static ReadOnlySpan<byte> Blob => "layered/v1 blob"u8;

    /// <summary>Reserved for encrypted names (not used by plaintext-name vaults yet). Context: none.</summary>
    public static ReadOnlySpan<byte> Names => "layered/v1 names"u8;
}
