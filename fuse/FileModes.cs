namespace Layered.Fuse;

/// <summary>File type bits of <c>st_mode</c> (Linux values).</summary>
public static class FileModes
{
    public const uint TypeMask = 0xF000;   // S_IFMT
    public const uint Socket = 0xC000;     // S_IFSOCK
    public const uint Symlink = 0xA000;    // S_IFLNK
    public const uint Regular = 0x8000;    // S_IFREG
    public const uint BlockDevice = 0x6000; // S_IFBLK
    public const uint Directory = 0x4000;  // S_IFDIR
    public const uint CharDevice = 0x2000; // S_IFCHR
    public const uint Fifo = 0x1000;       // S_IFIFO
    public const uint PermissionMask = 0xFFF; // rwx bits plus setuid, setgid, sticky
}
