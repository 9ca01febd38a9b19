using System.Runtime.InteropServices;

namespace Layered.Fuse;

/// <summary>
/// libfuse's <c>struct fuse_conn_info</c> (fuse_common.h, 3.14; 128 bytes): what the kernel offers
/// (<see cref="Capable"/>) and what the file system wants, passed by reference to init.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FuseConnectionInfo
{
    public uint ProtocolMajor;
    public uint ProtocolMinor;
    /// <summary>Largest write request; libfuse caps it to its 1 MiB receive buffer.</summary>
    public uint MaxWrite;
    public uint MaxRead;
    public uint MaxReadahead;
    /// <summary>FUSE_CAP_* bits the kernel supports.</summary>
    public uint Capable;
    /// <summary>FUSE_CAP_* bits the file system wants.</summary>
    public uint Want;
    public uint MaxBackground;
    public uint CongestionThreshold;
    public uint TimeGranularity;
    private fixed uint _reserved[22];
}

/// <summary>FUSE_CAP_* capability bits (fuse_common.h).</summary>
public static class FuseCapabilities
{
    public const uint AsyncRead = 1u << 0;
    public const uint PosixLocks = 1u << 1;
    public const uint AtomicOTrunc = 1u << 3;
    public const uint ExportSupport = 1u << 4;
    public const uint DontMask = 1u << 6;
    public const uint SpliceWrite = 1u << 7;
    public const uint SpliceMove = 1u << 8;
    public const uint SpliceRead = 1u << 9;
    public const uint FlockLocks = 1u << 10;
    public const uint AutoInvalData = 1u << 12;
    public const uint ReaddirPlus = 1u << 13;
    public const uint ReaddirPlusAuto = 1u << 14;
    public const uint AsyncDio = 1u << 15;
    public const uint WritebackCache = 1u << 16;
    public const uint ParallelDirops = 1u << 18;
    public const uint PosixAcl = 1u << 19;
    public const uint HandleKillpriv = 1u << 20;
    public const uint CacheSymlinks = 1u << 23;

    /// <summary>
    /// FUSE_HANDLE_KILLPRIV_V2 (libfuse 3.16's value). libfuse 3.14 does not know it: the host adds it to the kernel's
    /// INIT reply itself (<see cref="Interop.KillPrivNegotiation"/>), shows it to the file system's Init in
    /// <see cref="FuseConnectionInfo.Want"/> when it will be granted, and takes it out again before libfuse, which
    /// refuses capabilities it does not know, sees the structure.
    /// </summary>
    public const uint HandleKillprivV2 = 1u << 28;
}
