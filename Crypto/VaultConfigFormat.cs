using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Byte layout of the vault config (192 bytes, little-endian; docs/format.md §Config):
/// <code>
///   0  8  magic "LAYVAULT"           32  4  Argon2 memory (KiB)
///   8  2  format version (1)          36  4  Argon2 passes
///  10  1  cipher kind                 40  4  Argon2 parallelism (1)
///  11  1  KDF kind (1 = Argon2id)     44  4  reserved, zero
///  12  4  chunk size                  48 16  Argon2 salt
///  16 16  vault id                    64 32  wrap nonce (AEGIS-256)
///  96 64  wrapped master key (ciphertext 32 || tag 32), AAD = bytes 0..64
/// 160 32  SHA-256 of bytes 0..160
/// </code>
/// The checksum tells a damaged file from a wrong password (both would otherwise fail the unwrap alike).
/// </summary>
internal static class VaultConfigFormat
{
    public const int Size = 192;
    public const int WrapAadLength = 64;
    public const int WrapNonceOffset = 64;
    public const int WrappedKeyOffset = 96;
    public const int WrappedKeyLength = 64;
    public const int ChecksumOffset = 160;

    public static ReadOnlySpan<byte> Magic => "LAYVAULT"u8;

    public static byte[] Encode(VaultConfig config)
    {
        var b = new byte[Size];
        WriteParameters(b, config.VaultId, config.Cipher, config.ChunkSize, config.Kdf, config.Salt.Span);
        config.WrapNonce.Span.CopyTo(b.AsSpan(WrapNonceOffset, 32));
        config.WrappedMasterKey.Span.CopyTo(b.AsSpan(WrappedKeyOffset, WrappedKeyLength));
        SHA256.HashData(b.AsSpan(0, ChecksumOffset), b.AsSpan(ChecksumOffset, 32));
        return b;
    }

    /// <summary>The first 64 bytes, which the key wrap authenticates as AAD: every parameter is bound to the key.</summary>
    public static void WriteParameters(Span<byte> b, UInt128 vaultId, CipherKind cipher, int chunkSize, KdfParameters kdf, ReadOnlySpan<byte> salt)
    {
        Magic.CopyTo(b);
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], VaultConfig.CurrentFormatVersion);
        b[10] = (byte)cipher;
        b[11] = VaultConfig.KdfArgon2id;
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], (uint)chunkSize);
        BinaryPrimitives.WriteUInt128BigEndian(b[16..], vaultId);
        BinaryPrimitives.WriteUInt32LittleEndian(b[32..], checked((uint)kdf.MemoryKiB));
        BinaryPrimitives.WriteUInt32LittleEndian(b[36..], checked((uint)kdf.Passes));
        BinaryPrimitives.WriteUInt32LittleEndian(b[40..], checked((uint)kdf.Parallelism));
        b.Slice(44, 4).Clear();
        salt.CopyTo(b.Slice(48, PasswordKdf.SaltSize));
    }

    public static VaultConfig Decode(ReadOnlySpan<byte> b, string path)
    {
        if (b.Length >= Magic.Length && !b[..Magic.Length].SequenceEqual(Magic))
            throw new VaultConfigException(path, VaultConfigProblem.Corrupt, "bad magic: not a Layered vault config");
        if (b.Length < 10)
            throw new VaultConfigException(path, VaultConfigProblem.Truncated, $"truncated: {b.Length} of {Size} bytes");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(b[8..]);
        if (version != VaultConfig.CurrentFormatVersion)
            throw new VaultConfigException(path, VaultConfigProblem.UnsupportedVersion,
                $"format version {version} is not supported (this program reads version {VaultConfig.CurrentFormatVersion})");
        if (b.Length != Size)
            throw new VaultConfigException(path, VaultConfigProblem.Truncated, $"{b.Length} bytes, a version-1 config is exactly {Size}");
        Span<byte> checksum = stackalloc byte[32];
        SHA256.HashData(b[..ChecksumOffset], checksum);
        if (!checksum.SequenceEqual(b.Slice(ChecksumOffset, 32)))
            throw new VaultConfigException(path, VaultConfigProblem.Corrupt, "checksum mismatch: the file is damaged");

        var cipher = (CipherKind)b[10];
        if (!CipherKinds.IsDefined(cipher))
            throw new VaultConfigException(path, VaultConfigProblem.OutOfBounds, $"unknown cipher kind {b[10]}");
        if (b[11] != VaultConfig.KdfArgon2id)
            throw new VaultConfigException(path, VaultConfigProblem.OutOfBounds, $"unknown KDF kind {b[11]}");
        uint chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(b[12..]);
        if (!ChunkLayout.IsValidChunkSize(chunkSize))
            throw new VaultConfigException(path, VaultConfigProblem.OutOfBounds,
                $"chunk size {chunkSize} is not a power of two from {ChunkLayout.MinChunkSize} to {ChunkLayout.MaxChunkSize}");
        var kdf = new KdfParameters(
            BinaryPrimitives.ReadUInt32LittleEndian(b[32..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[36..]),
            (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(b[40..])));
        if (kdf.Validate() is { } kdfProblem)
            throw new VaultConfigException(path, VaultConfigProblem.OutOfBounds, kdfProblem);
        if (BinaryPrimitives.ReadUInt32LittleEndian(b[44..]) != 0)
            throw new VaultConfigException(path, VaultConfigProblem.OutOfBounds, "reserved bytes are not zero");
        UInt128 vaultId = BinaryPrimitives.ReadUInt128BigEndian(b[16..]);
        if (vaultId == UInt128.Zero)
            throw new VaultConfigException(path, VaultConfigProblem.OutOfBounds, "the vault id is zero");

        return new VaultConfig(
            path,
            vaultId,
            cipher,
            (int)chunkSize,
            kdf,
            b.Slice(48, PasswordKdf.SaltSize).ToArray(),
            b.Slice(WrapNonceOffset, 32).ToArray(),
            b.Slice(WrappedKeyOffset, WrappedKeyLength).ToArray());
    }
}
