using System.Buffers.Binary;

namespace Layered.WinFsp.Tests.Support;

/// <summary>
/// REPARSE_DATA_BUFFERs written byte by byte from the ntifs.h layout, independently of the adapter's codec, as
/// DeviceIoControl(FSCTL_SET_REPARSE_POINT) would carry them.
/// </summary>
public static class ReparseBuffers
{
    public const uint SymlinkTag = 0xA000000C;
    public const uint MountPointTag = 0xA0000003;

    /// <summary>A symlink buffer: substitute name first, then print name, no NULs (the layout the adapter writes).</summary>
    public static byte[] Symlink(string substitute, string? print = null, bool relative = true, uint? flags = null)
    {
        print ??= substitute;
        int pathBytes = (substitute.Length + print.Length) * 2;
        var b = new byte[20 + pathBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(b, SymlinkTag);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), (ushort)(12 + pathBytes));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(10), (ushort)(substitute.Length * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), (ushort)(substitute.Length * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)(print.Length * 2));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), flags ?? (relative ? 1u : 0u));
        for (int i = 0; i < substitute.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20 + i * 2), substitute[i]);
        for (int i = 0; i < print.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20 + substitute.Length * 2 + i * 2), print[i]);
        return b;
    }

    /// <summary>The 8-byte header FSCTL_DELETE_REPARSE_POINT carries for a Microsoft tag.</summary>
    public static byte[] Header(uint tag, ushort dataLength = 0)
    {
        var b = new byte[8 + dataLength];
        BinaryPrimitives.WriteUInt32LittleEndian(b, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), dataLength);
        return b;
    }

    /// <summary>A copy of <paramref name="buffer"/> with one little-endian UINT16 changed.</summary>
    public static byte[] WithUInt16(byte[] buffer, int offset, ushort value)
    {
        var copy = (byte[])buffer.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    public static (string Substitute, string Print, uint Flags) Decode(byte[] b) =>
        (Name(b, 8), Name(b, 12), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(16)));

    private static string Name(byte[] b, int pairAt)
    {
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pairAt));
        int length = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pairAt + 2));
        var chars = new char[length / 2];
        for (int i = 0; i < chars.Length; i++)
            chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(20 + offset + i * 2));
        return new string(chars);
    }
}
