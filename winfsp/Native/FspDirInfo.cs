using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// The 104-byte header of FSP_FSCTL_DIR_INFO. The entry's file name (one path component, UTF-16, no
/// NUL) follows immediately at <see cref="HeaderSize"/>; Size = 104 + name bytes (winfsp.md §2.5).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = HeaderSize)]
public unsafe struct FspDirInfo
{
    public const int HeaderSize = 104;

    /// <summary>GetDirInfoByName hands the file system a DirInfo with room for this many name characters.</summary>
    public const int GetDirInfoByNameMaxChars = 255;

    [FieldOffset(0)] public ushort Size;
    [FieldOffset(8)] public FspFileInfo FileInfo;

    /// <summary>Meaningful only with DirectoryMarkerAsNextOffset; otherwise part of the zeroed padding.</summary>
    [FieldOffset(80)] public ulong NextOffset;

    [FieldOffset(80)] public fixed byte Padding[24];

    /// <summary>Address of the name that follows the header.</summary>
    public static char* FileNameOf(FspDirInfo* dirInfo) => (char*)((byte*)dirInfo + HeaderSize);
}
