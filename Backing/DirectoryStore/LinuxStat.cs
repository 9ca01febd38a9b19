using System.Buffers.Binary;
using System.Runtime.Versioning;

namespace Layered.Backing.DirectoryStore;

/// <summary>Reads a kernel struct statx (field offsets from linux/stat.h, identical on every architecture).</summary>
[SupportedOSPlatform("linux")]
internal static class LinuxStat
{
    private const int NlinkOffset = 16, UidOffset = 20, GidOffset = 24, ModeOffset = 28, InodeOffset = 32,
        SizeOffset = 40, AtimeOffset = 64, CtimeOffset = 96, MtimeOffset = 112;

    private const uint FileTypeMask = 0xF000, RegularFile = 0x8000, DirectoryType = 0x4000, SymlinkType = 0xA000;

    public static long Size(ReadOnlySpan<byte> statx) => BinaryPrimitives.ReadInt64LittleEndian(statx[SizeOffset..]);

    public static uint Mode(ReadOnlySpan<byte> statx) => BinaryPrimitives.ReadUInt16LittleEndian(statx[ModeOffset..]);

    public static BackingEntryKind Kind(uint mode) => (mode & FileTypeMask) switch
    {
        RegularFile => BackingEntryKind.File,
        DirectoryType => BackingEntryKind.Directory,
        SymlinkType => BackingEntryKind.Symlink,
        _ => BackingEntryKind.Other,
    };

    public static BackingEntry ToEntry(string name, ReadOnlySpan<byte> statx)
    {
        var mode = Mode(statx);
        return new BackingEntry(
            name,
            Kind(mode),
            Size(statx),
            BinaryPrimitives.ReadUInt64LittleEndian(statx[InodeOffset..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(statx[NlinkOffset..]),
            (UnixMode)(mode & (uint)UnixMode.PermissionMask),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(statx[UidOffset..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(statx[GidOffset..]),
            Time(statx, AtimeOffset),
            Time(statx, MtimeOffset),
            Time(statx, CtimeOffset));
    }

    private static DateTime Time(ReadOnlySpan<byte> statx, int offset) =>
        UnixTime.FromUnix(
            BinaryPrimitives.ReadInt64LittleEndian(statx[offset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(statx[(offset + 8)..]));
}
