using System.Runtime.InteropServices;

namespace Layered.Fuse;

/// <summary>
/// <c>struct statvfs</c> as glibc lays it out on 64-bit Linux (x86_64 and arm64 alike, 112 bytes);
/// statfs fills it in place.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FileSystemStatistics
{
    public ulong BlockSize;
    public ulong FragmentSize;
    /// <summary>Size of the file system in <see cref="FragmentSize"/> units.</summary>
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public ulong FilesAvailable;
    public ulong FileSystemId;
    public ulong MountFlags;
    public ulong MaxNameLength;
    private fixed int _spare[6];
}
