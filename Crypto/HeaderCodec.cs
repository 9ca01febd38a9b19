using System.Buffers.Binary;
using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Encodes and authenticates per-file headers (docs/format.md §Header): 64 bytes of little-endian fields,
/// then HMAC-SHA256 over them with the vault's header key. Thread-safe.
/// </summary>
public sealed class HeaderCodec : IDisposable
{
    /// <summary>"LAYERED" followed by a zero byte: tells an encrypted file from a plaintext one.</summary>
    public static ReadOnlySpan<byte> Magic => "LAYERED\0"u8;

    public const ushort FormatVersion = 1;

    internal const int MacOffset = 64;
    internal const int MacSize = 32;

    private static readonly MacAlgorithm Mac = MacAlgorithm.HmacSha256;
    private readonly Key _key;

    internal HeaderCodec(Key headerMacKey)
    {
        _key = headerMacKey;
    }

    /// <summary>True when <paramref name="source"/> starts with the header magic (file is encrypted, or at least claims to be).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> source) => source.Length >= Magic.Length && source[..Magic.Length].SequenceEqual(Magic);

    public void Encode(in FileHeader header, Span<byte> destination)
    {
        if (destination.Length < FileHeader.Size)
            throw new ArgumentException($"a header needs {FileHeader.Size} bytes", nameof(destination));
        if (header.FileId.IsEmpty)
            throw new ArgumentException("a header needs a file id", nameof(header));
        if (header.Vdl < 0 || header.Eof < header.Vdl)
            throw new ArgumentException($"need 0 <= VDL <= EOF, got VDL {header.Vdl}, EOF {header.Eof}", nameof(header));
        if (header.AppliedLsn < 0)
            throw new ArgumentException("the applied LSN cannot be negative", nameof(header));
        if ((header.Flags & ~HeaderFlagBits.Known) != 0)
            throw new ArgumentException($"unknown header flags 0x{(uint)header.Flags:x}", nameof(header));

        Span<byte> d = destination[..FileHeader.Size];
        d.Clear();
        Magic.CopyTo(d);
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], FormatVersion);
        // d[10..12] reserved, zero
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)header.Flags);
        header.FileId.WriteTo(d[16..]);
        BinaryPrimitives.WriteInt64LittleEndian(d[32..], header.Eof);
        BinaryPrimitives.WriteInt64LittleEndian(d[40..], header.Vdl);
        BinaryPrimitives.WriteInt64LittleEndian(d[48..], header.AppliedLsn);
        // d[56..64] reserved, zero
        Mac.Mac(_key, d[..MacOffset], d.Slice(MacOffset, MacSize));
    }

    public FileHeader Decode(ReadOnlySpan<byte> source, string fileNameForErrors)
    {
        if (!HasMagic(source))
        {
            if (source.Length < Magic.Length && Magic.StartsWith(source) && source.Length > 0)
                throw new HeaderAuthenticationException(fileNameForErrors, $"truncated: {source.Length} of {FileHeader.Size} bytes");
            throw new NotEncryptedException(fileNameForErrors);
        }
        if (source.Length < FileHeader.Size)
            throw new HeaderAuthenticationException(fileNameForErrors, $"truncated: {source.Length} of {FileHeader.Size} bytes");
        ReadOnlySpan<byte> s = source[..FileHeader.Size];
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
        if (version != FormatVersion)
            throw new UnsupportedFormatException(fileNameForErrors, $"header version {version}, this program reads version {FormatVersion}");
        if (!Mac.Verify(_key, s[..MacOffset], s.Slice(MacOffset, MacSize)))
            throw new HeaderAuthenticationException(fileNameForErrors, "MAC mismatch (tampered, damaged, or from another vault)");

        // Past the MAC the bytes are ours; anything odd now is a newer format or a bug, never an attacker.
        var flags = (HeaderFlags)BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
        if ((flags & ~HeaderFlagBits.Known) != 0)
            throw new UnsupportedFormatException(fileNameForErrors, $"unknown header flags 0x{(uint)flags:x}");
        if (BinaryPrimitives.ReadUInt16LittleEndian(s[10..]) != 0 || BinaryPrimitives.ReadUInt64LittleEndian(s[56..]) != 0)
            throw new UnsupportedFormatException(fileNameForErrors, "reserved header bytes are not zero");
        var id = FileId.Read(s[16..]);
        long eof = BinaryPrimitives.ReadInt64LittleEndian(s[32..]);
        long vdl = BinaryPrimitives.ReadInt64LittleEndian(s[40..]);
        long lsn = BinaryPrimitives.ReadInt64LittleEndian(s[48..]);
        if (id.IsEmpty || vdl < 0 || eof < vdl || lsn < 0)
            throw new HeaderAuthenticationException(fileNameForErrors, $"inconsistent fields (VDL {vdl}, EOF {eof}, LSN {lsn})");
        return new FileHeader(id, eof, vdl, lsn, flags);
    }

    public void Dispose() => _key.Dispose();
}
