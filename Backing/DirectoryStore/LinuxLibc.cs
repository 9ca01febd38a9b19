using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Layered.Backing.DirectoryStore;

/// <summary>
/// The libc calls .NET has no API for (or whose .NET wrappers lose the errno we need to map precisely).
/// Strings are marshalled as UTF-8, which is how Linux file names are conventionally encoded.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxLibc
{
    private const string Libc = "libc";

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;
    public const uint StatxBasicStats = 0x7ff;
    public const uint RenameNoReplace = 1;
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const long UtimeOmit = (1L << 30) - 2;

    public const int ORdOnly = 0;
    public const int ORdWr = 2;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OCloExec = 0x80000;

    // O_DIRECTORY and O_NOFOLLOW differ between architectures (asm-generic vs. x86/arm).
    public static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    public static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>Size of the kernel's struct statx; we read fields by their documented offsets.</summary>
    public const int StatxSize = 256;

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(SafeFileHandle fd);

    [LibraryImport(Libc, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int Fdatasync(SafeFileHandle fd);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Libc, EntryPoint = "syncfs", SetLastError = true)]
    public static partial int Syncfs(SafeFileHandle fd);

    [LibraryImport(Libc, EntryPoint = "pread64", SetLastError = true)]
    public static unsafe partial nint Pread(SafeFileHandle fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "pwrite64", SetLastError = true)]
    public static unsafe partial nint Pwrite(SafeFileHandle fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(SafeFileHandle fd, long length);

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int Statx(SafeFileHandle dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Libc, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport(Libc, EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport(Libc, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Unlink(string path);

    [LibraryImport(Libc, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mkdir(string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Rmdir(string path);

    [LibraryImport(Libc, EntryPoint = "fchmodat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Fchmodat(int dirfd, string path, uint mode, int flags);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(SafeFileHandle fd, uint mode);

    [LibraryImport(Libc, EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Lchown(string path, int uid, int gid);

    [LibraryImport(Libc, EntryPoint = "utimensat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int Utimensat(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport(Libc, EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial nint Lgetxattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "lsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int Lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "lremovexattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Lremovexattr(string path, string name);

    [LibraryImport(Libc, EntryPoint = "llistxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial nint Llistxattr(string path, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int Statvfs(string path, StatvfsBuffer* buffer);

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>struct statvfs on 64-bit Linux (x86-64 and arm64 share the layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatvfsBuffer
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FilesAvailable;
        public ulong FileSystemId;
        public ulong Flags;
        public ulong NameMax;
        public unsafe fixed int Spare[6];
    }
}
