using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// The fixed part of a REPARSE_DATA_BUFFER for IO_REPARSE_TAG_SYMLINK (ntifs.h), 20 bytes: the 8-byte header
/// (ReparseTag, ReparseDataLength, Reserved), then SymbolicLinkReparseBuffer's names (byte offsets and lengths
/// into PathBuffer) and Flags. PathBuffer follows at offset 20. Declared for the layout tests; the codec below
/// reads and writes the same offsets little-endian, so it needs no pinned struct.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 2)]
public struct SymlinkReparseHeader
{
    public uint ReparseTag;
    /// <summary>Bytes after the 8-byte header: 12 + the PathBuffer bytes.</summary>
    public ushort ReparseDataLength;
    public ushort Reserved;
    public ushort SubstituteNameOffset;
    public ushort SubstituteNameLength;
    public ushort PrintNameOffset;
    public ushort PrintNameLength;
    public uint Flags;
}

/// <summary>One symlink's reparse data in Windows terms: the names are UTF-16 paths, never NUL-terminated.</summary>
public readonly record struct SymlinkReparseData(string SubstituteName, string PrintName, bool Relative);

/// <summary>
/// Reads and writes REPARSE_DATA_BUFFER as FSCTL_SET/GET/DELETE_REPARSE_POINT carry it. Only the symlink tag is
/// decoded; every other tag is reported by value so the caller can refuse it with the right status.
/// </summary>
public static class ReparseDataBuffer
{
    /// <summary>IO_REPARSE_TAG_SYMLINK.</summary>
    public const uint SymlinkTag = 0xA000000C;

    /// <summary>SYMLINK_FLAG_RELATIVE: the substitute name is relative to the link's directory (or, starting
    /// with '\', to the root of the link's volume).</summary>
    public const uint SymlinkFlagRelative = 0x1;

    /// <summary>REPARSE_DATA_BUFFER_HEADER_SIZE: ReparseTag, ReparseDataLength, Reserved.</summary>
    public const int HeaderSize = 8;

    /// <summary>FIELD_OFFSET(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer).</summary>
    public const int SymlinkPathBufferOffset = 20;

    /// <summary>MAXIMUM_REPARSE_DATA_BUFFER_SIZE (16 KiB).</summary>
    public const int MaximumSize = 16 * 1024;

    /// <summary>Reserved tags 0 and 1 (IO_REPARSE_TAG_RESERVED_ZERO/ONE) are never valid in a buffer.</summary>
    public static bool IsReservedTag(uint tag) => tag <= 1;

    /// <summary>
    /// The tag and the data length the header declares. False (STATUS_IO_REPARSE_DATA_INVALID) when the buffer is
    /// shorter than the header, longer than the maximum, or its ReparseDataLength disagrees with its size, which
    /// is what FsRtlValidateReparsePointBuffer checks first.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> buffer, out uint tag, out int dataLength)
    {
        tag = 0;
        dataLength = 0;
        if (buffer.Length < HeaderSize || buffer.Length > MaximumSize)
            return false;
        tag = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        dataLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer[4..]);
        return HeaderSize + dataLength == buffer.Length;
    }

    /// <summary>
    /// Decodes a symlink buffer. Returns STATUS_SUCCESS, STATUS_IO_REPARSE_TAG_INVALID for a reserved tag,
    /// STATUS_IO_REPARSE_TAG_NOT_HANDLED for any tag but IO_REPARSE_TAG_SYMLINK, and STATUS_IO_REPARSE_DATA_INVALID
    /// for a malformed buffer: a header that disagrees with the size, names outside PathBuffer or of odd length, an
    /// empty substitute name, or flags other than SYMLINK_FLAG_RELATIVE (which could not be kept).
    /// </summary>
    public static int TryParseSymlink(ReadOnlySpan<byte> buffer, out SymlinkReparseData data)
    {
        data = default;
        if (!TryReadHeader(buffer, out uint tag, out _))
            return NtStatus.IoReparseDataInvalid;
        if (IsReservedTag(tag))
            return NtStatus.IoReparseTagInvalid;
        if (tag != SymlinkTag)
            return NtStatus.IoReparseTagNotHandled;
        if (buffer.Length < SymlinkPathBufferOffset)
            return NtStatus.IoReparseDataInvalid;
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(buffer[16..]);
        if ((flags & ~SymlinkFlagRelative) != 0)
            return NtStatus.IoReparseDataInvalid;
        var path = buffer[SymlinkPathBufferOffset..];
        if (!TryName(path, buffer[8..], out string substitute) || !TryName(path, buffer[12..], out string print))
            return NtStatus.IoReparseDataInvalid;
        if (substitute.Length == 0)
            return NtStatus.IoReparseDataInvalid;
        data = new SymlinkReparseData(substitute, print, (flags & SymlinkFlagRelative) != 0);
        return NtStatus.Success;
    }

    /// <summary>The size <see cref="WriteSymlink"/> needs: the fixed part, then both names.</summary>
    public static int SymlinkSize(in SymlinkReparseData data) =>
        SymlinkPathBufferOffset + (data.SubstituteName.Length + data.PrintName.Length) * sizeof(char);

    /// <summary>
    /// Writes a symlink buffer: the substitute name first, then the print name, no NUL terminators. Returns the
    /// bytes written, or STATUS_BUFFER_TOO_SMALL (nothing written) when <paramref name="destination"/> is shorter
    /// than <see cref="SymlinkSize"/>.
    /// </summary>
    public static int WriteSymlink(in SymlinkReparseData data, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        int size = SymlinkSize(data);
        if (size > MaximumSize)
            return NtStatus.IoReparseDataInvalid;
        if (destination.Length < size)
            return NtStatus.BufferTooSmall;
        int substituteBytes = data.SubstituteName.Length * sizeof(char);
        int printBytes = data.PrintName.Length * sizeof(char);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, SymlinkTag);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], (ushort)(size - HeaderSize));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], (ushort)substituteBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], (ushort)substituteBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[14..], (ushort)printBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], data.Relative ? SymlinkFlagRelative : 0);
        var path = destination[SymlinkPathBufferOffset..];
        WriteChars(data.SubstituteName, path);
        WriteChars(data.PrintName, path[substituteBytes..]);
        bytesWritten = size;
        return NtStatus.Success;
    }

    /// <summary>A name given by an (offset, length) pair at <paramref name="pair"/>, both in bytes into PathBuffer.</summary>
    private static bool TryName(ReadOnlySpan<byte> pathBuffer, ReadOnlySpan<byte> pair, out string name)
    {
        name = "";
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(pair);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(pair[2..]);
        if (offset % 2 != 0 || length % 2 != 0 || offset + length > pathBuffer.Length)
            return false;
        var bytes = pathBuffer.Slice(offset, length);
        var chars = new char[length / 2];
        for (int i = 0; i < chars.Length; i++)
            chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
        name = new string(chars);
        return true;
    }

    private static void WriteChars(string text, Span<byte> destination)
    {
        for (int i = 0; i < text.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], text[i]);
    }
}
