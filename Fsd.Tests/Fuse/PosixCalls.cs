using System.Runtime.InteropServices;

namespace Layered.Fuse.Tests;

#pragma warning disable IDE1006 // libc names on purpose.

/// <summary>Direct libc calls, so tests see the exact errno a program would see.</summary>
internal static unsafe partial class PosixCalls
{
    private const string Library = "libc.so.6";

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_APPEND = 0x400;
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int renameat2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int link(string existingPath, string newPath);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int setxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint getxattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint listxattr(string path, byte* list, nuint size);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int removexattr(string path, string name);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statvfs(string path, FileSystemStatistics* buffer);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int utimensat(int dirFd, string path, PosixTime* times, int flags);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lstat(string path, byte* buffer);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int fallocate(int fd, int mode, long offset, long length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    public const int SIGTERM = 15;

    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>lstat(2) read back through the host's own native stat layouts.</summary>
    public static (int Result, int Errno, ulong Inode, uint Mode, ulong Links, long Size, PosixTime ModificationTime) Stat(string path)
    {
        byte* buffer = stackalloc byte[Interop.NativeStat.MaxSize];
        int result = lstat(path, buffer);
        int errno = result == 0 ? 0 : LastErrno;
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            var s = (Interop.StatArm64*)buffer;
            return (result, errno, s->st_ino, s->st_mode, s->st_nlink, s->st_size, s->st_mtim);
        }

        var x = (Interop.StatX64*)buffer;
        return (result, errno, x->st_ino, x->st_mode, x->st_nlink, x->st_size, x->st_mtim);
    }
}
#pragma warning restore IDE1006
