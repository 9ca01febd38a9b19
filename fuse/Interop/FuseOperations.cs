using System.Runtime.InteropServices;

namespace Layered.Fuse.Interop;

#pragma warning disable IDE1006 // C names on purpose: the layout test compares them with offsetof by name.

/// <summary>
/// <c>struct fuse_operations</c> of libfuse 3.14 (fuse.h, FUSE_USE_VERSION 3.5+): 42 function
/// pointer slots in header order. Slots this host does not serve stay null (nint) so libfuse
/// answers them itself (ENOSYS, or its generic fallback).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseOperations
{
    public delegate* unmanaged<byte*, void*, FuseFileInfo*, int> getattr;
    public delegate* unmanaged<byte*, byte*, nuint, int> readlink;
    public delegate* unmanaged<byte*, uint, ulong, int> mknod;
    public delegate* unmanaged<byte*, uint, int> mkdir;
    public delegate* unmanaged<byte*, int> unlink;
    public delegate* unmanaged<byte*, int> rmdir;
    public delegate* unmanaged<byte*, byte*, int> symlink;
    public delegate* unmanaged<byte*, byte*, uint, int> rename;
    public delegate* unmanaged<byte*, byte*, int> link;
    public delegate* unmanaged<byte*, uint, FuseFileInfo*, int> chmod;
    public delegate* unmanaged<byte*, uint, uint, FuseFileInfo*, int> chown;
    public delegate* unmanaged<byte*, long, FuseFileInfo*, int> truncate;
    public delegate* unmanaged<byte*, FuseFileInfo*, int> open;
    public delegate* unmanaged<byte*, byte*, nuint, long, FuseFileInfo*, int> read;
    public delegate* unmanaged<byte*, byte*, nuint, long, FuseFileInfo*, int> write;
    public delegate* unmanaged<byte*, FileSystemStatistics*, int> statfs;
    public delegate* unmanaged<byte*, FuseFileInfo*, int> flush;
    public delegate* unmanaged<byte*, FuseFileInfo*, int> release;
    public delegate* unmanaged<byte*, int, FuseFileInfo*, int> fsync;
    public delegate* unmanaged<byte*, byte*, byte*, nuint, int, int> setxattr;
    public delegate* unmanaged<byte*, byte*, byte*, nuint, int> getxattr;
    public delegate* unmanaged<byte*, byte*, nuint, int> listxattr;
    public delegate* unmanaged<byte*, byte*, int> removexattr;
    public delegate* unmanaged<byte*, FuseFileInfo*, int> opendir;
    public delegate* unmanaged<byte*, nint, delegate* unmanaged<nint, byte*, void*, long, int, int>, long, FuseFileInfo*, int, int> readdir;
    public delegate* unmanaged<byte*, FuseFileInfo*, int> releasedir;
    public delegate* unmanaged<byte*, int, FuseFileInfo*, int> fsyncdir;
    public delegate* unmanaged<FuseConnectionInfo*, FuseConfig*, nint> init;
    public delegate* unmanaged<nint, void> destroy;
    public delegate* unmanaged<byte*, int, int> access;
    public delegate* unmanaged<byte*, uint, FuseFileInfo*, int> create;
    public nint @lock;
    public delegate* unmanaged<byte*, PosixTime*, FuseFileInfo*, int> utimens;
    public nint bmap;
    public nint ioctl;
    public nint poll;
    public nint write_buf;
    public nint read_buf;
    public nint flock;
    public delegate* unmanaged<byte*, int, long, long, FuseFileInfo*, int> fallocate;
    public delegate* unmanaged<byte*, FuseFileInfo*, long, byte*, FuseFileInfo*, long, nuint, int, nint> copy_file_range;
    public delegate* unmanaged<byte*, long, int, FuseFileInfo*, long> lseek;
}
#pragma warning restore IDE1006
