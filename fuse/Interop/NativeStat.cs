using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Layered.Fuse.Interop;

// The kernel ABI's struct stat differs between x86_64 (its own historical layout, 144 bytes) and
// arm64 (the asm-generic layout, 128 bytes). Both are bound; NativeStat picks one per process.
// Field names follow <bits/struct_stat.h> so the layout test can compare them with offsetof.
#pragma warning disable IDE1006 // C names on purpose: they are compared with the C header by name.

[StructLayout(LayoutKind.Sequential)]
internal struct StatX64
{
    public ulong st_dev;
    public ulong st_ino;
    public ulong st_nlink;
    public uint st_mode;
    public uint st_uid;
    public uint st_gid;
    public int __pad0;
    public ulong st_rdev;
    public long st_size;
    public long st_blksize;
    public long st_blocks;
    public PosixTime st_atim;
    public PosixTime st_mtim;
    public PosixTime st_ctim;
    public long __glibc_reserved0;
    public long __glibc_reserved1;
    public long __glibc_reserved2;
}

[StructLayout(LayoutKind.Sequential)]
internal struct StatArm64
{
    public ulong st_dev;
    public ulong st_ino;
    public uint st_mode;
    public uint st_nlink;
    public uint st_uid;
    public uint st_gid;
    public ulong st_rdev;
    public ulong __pad1;
    public long st_size;
    public int st_blksize;
    public int __pad2;
    public long st_blocks;
    public PosixTime st_atim;
    public PosixTime st_mtim;
    public PosixTime st_ctim;
    public int __glibc_reserved0;
    public int __glibc_reserved1;
}
#pragma warning restore IDE1006

/// <summary>Writes a <see cref="FileStat"/> into the native <c>struct stat</c> of this architecture.</summary>
internal static unsafe class NativeStat
{
    /// <summary>Largest native size, for stack buffers.</summary>
    public const int MaxSize = 144;

    private static readonly bool IsArm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>Refuses, with a clear message, an architecture whose struct stat is not bound.</summary>
    public static void EnsureSupportedArchitecture()
    {
        Architecture arch = RuntimeInformation.ProcessArchitecture;
        if (arch is not (Architecture.X64 or Architecture.Arm64))
        {
            throw new PlatformNotSupportedException(
                $"Layered's FUSE host supports x86_64 and arm64 only; this process runs on {arch} whose struct stat layout is not bound.");
        }
    }

    public static int Size => IsArm64 ? Unsafe.SizeOf<StatArm64>() : Unsafe.SizeOf<StatX64>();

    /// <summary>Fills <paramref name="destination"/> completely (fields not in FileStat become 0).</summary>
    public static void Write(in FileStat source, void* destination)
    {
        if (IsArm64)
        {
            StatArm64* s = (StatArm64*)destination;
            *s = default;
            s->st_ino = source.Inode;
            s->st_mode = source.Mode;
            s->st_nlink = (uint)source.LinkCount;
            s->st_uid = source.Uid;
            s->st_gid = source.Gid;
            s->st_rdev = source.Device;
            s->st_size = source.Size;
            s->st_blksize = (int)source.BlockSize;
            s->st_blocks = source.Blocks;
            s->st_atim = source.AccessTime;
            s->st_mtim = source.ModificationTime;
            s->st_ctim = source.ChangeTime;
        }
        else
        {
            StatX64* s = (StatX64*)destination;
            *s = default;
            s->st_ino = source.Inode;
            s->st_mode = source.Mode;
            s->st_nlink = source.LinkCount;
            s->st_uid = source.Uid;
            s->st_gid = source.Gid;
            s->st_rdev = source.Device;
            s->st_size = source.Size;
            s->st_blksize = source.BlockSize;
            s->st_blocks = source.Blocks;
            s->st_atim = source.AccessTime;
            s->st_mtim = source.ModificationTime;
            s->st_ctim = source.ChangeTime;
        }
    }
}
