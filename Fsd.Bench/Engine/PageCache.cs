using System.Runtime.InteropServices;

namespace Layered.Fsd.Bench.Engine;

/// <summary>Evicts one file's pages from the Linux page cache (posix_fadvise POSIX_FADV_DONTNEED), so a read
/// after it comes from the disk without dropping every cache on the machine; and sync(2) for benchmark setups.</summary>
internal static partial class PageCache
{
    private const int PosixFadvDontNeed = 4;

    public static void Sync(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0);
        stream.Flush(flushToDisk: true);
    }

    public static void Evict(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int error = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed);
        if (error != 0)
            throw new IOException($"posix_fadvise(DONTNEED) of '{path}' failed with error {error}");
    }

    /// <summary>sync(2): every dirty page and inode of every file system written back.</summary>
    public static void SyncAll() => Sync();

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void Sync();

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
