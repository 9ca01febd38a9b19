namespace Layered.Fuse;

/// <summary>
/// The attributes of a file as <c>stat(2)</c> reports them, in a platform-independent shape.
/// The host converts it to the native <c>struct stat</c> of the running architecture (x86_64 and
/// arm64 lay that struct out differently). Mode carries the file type bits (S_IFREG, S_IFDIR, ...).
/// </summary>
public struct FileStat
{
    /// <summary>Inode number; the host mounts with use_ino, so this is what user space sees.</summary>
    public ulong Inode;
    public uint Mode;
    public ulong LinkCount;
    public uint Uid;
    public uint Gid;
    /// <summary>Device number of a device node (st_rdev).</summary>
    public ulong Device;
    public long Size;
    public long BlockSize;
    /// <summary>Allocated size in 512-byte units.</summary>
    public long Blocks;
    public PosixTime AccessTime;
    public PosixTime ModificationTime;
    public PosixTime ChangeTime;
}
