using System.Runtime.InteropServices;

namespace Layered.Fuse.Interop;

#pragma warning disable IDE1006 // C names on purpose: the layout test compares them with offsetof by name.

/// <summary><c>struct fuse_config</c> (fuse.h, libfuse 3.14; 128 bytes on 64-bit). Filled in init.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseConfig
{
    public int set_gid;
    public uint gid;
    public int set_uid;
    public uint uid;
    public int set_mode;
    public uint umask;
    public double entry_timeout;
    public double negative_timeout;
    public double attr_timeout;
    public int intr;
    public int intr_signal;
    public int remember;
    public int hard_remove;
    public int use_ino;
    public int readdir_ino;
    public int direct_io;
    public int kernel_cache;
    public int auto_cache;
    public int no_rofd_flush;
    public int ac_attr_timeout_set;
    public double ac_attr_timeout;
    public int nullpath_ok;
    public int show_help;
    public nint modules;
    public int debug;
}

/// <summary><c>struct fuse_context</c> (fuse.h): the caller of the request being served.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseContext
{
    public nint fuse;
    public uint uid;
    public uint gid;
    public int pid;
    public nint private_data;
    public uint umask;
}

/// <summary><c>struct fuse_args</c> (fuse_opt.h): the argument vector fuse_new parses.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseArgs
{
    public int argc;
    public byte** argv;
    public int allocated;
}
#pragma warning restore IDE1006
