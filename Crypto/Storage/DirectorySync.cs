using System.Runtime.InteropServices;

namespace Layered.Crypto;

/// <summary>
/// fsync of a directory, so a rename or create inside it is durable. .NET has no API for it; on Unix we call
/// open(O_RDONLY|O_DIRECTORY)/fsync/close. On Windows NTFS journals the rename itself, and a directory handle
/// cannot be flushed without backup privileges, so it is a no-op there.
/// </summary>
internal static partial class DirectorySync
{
    private const int ORdOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
            return;
        int flags = ORdOnly | (OperatingSystem.IsMacOS() ? 0x100000 : 0x10000); // O_DIRECTORY
        int fd = Open(directory, flags);
        if (fd < 0)
            throw new IOException($"cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
