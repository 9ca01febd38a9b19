using System.Runtime.InteropServices;

namespace Layered.Fuse.Interop;

#pragma warning disable IDE1006 // libc names on purpose.

/// <summary>The few libc calls the host needs (glibc; dlvsym lives in libc.so.6 since 2.34).</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc.so.6";

    public const int MNT_DETACH = 2;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint dlvsym(nint handle, string symbol, string version);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statvfs(string path, FileSystemStatistics* buffer);

    [LibraryImport(Library)]
    public static partial uint geteuid();

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint writev(int fd, void* iov, int count);

    [LibraryImport(Library)]
    public static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint arguments);
}
#pragma warning restore IDE1006
