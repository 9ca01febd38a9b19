using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// FSP_FSCTL_FILE_INFO, 72 bytes. Blittable, so the same struct is both the managed value the file
/// system fills and the native out-parameter it is copied into. FileSize must be exact: the FSD sizes
/// its cache from it (winfsp.md §2.2, §3.4).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FspFileInfo
{
    public uint FileAttributes;
    public uint ReparseTag;
    public ulong AllocationSize;
    public ulong FileSize;
    /// <summary>FILETIME ticks (100 ns since 1601-01-01 UTC), as are the other times.</summary>
    public ulong CreationTime;
    public ulong LastAccessTime;
    public ulong LastWriteTime;
    public ulong ChangeTime;
    /// <summary>Unique file id (FileInternalInformation).</summary>
    public ulong IndexNumber;
    /// <summary>WinFsp has no hard links: always 0.</summary>
    public uint HardLinks;
    public uint EaSize;
}
