using System.Runtime.InteropServices;

namespace Layered.Fsd;

/// <summary>
/// syncfs(2) of the file system that holds a folder: every dirty page and inode of that file system reaches the disk
/// in one call and one journal commit, where fsyncing N files costs N commits. Adoption uses it to make a whole batch
/// of encrypted copies durable before any of them replaces its original (Adoption/BatchedEncryption.cs). Checkpoints
/// use the store's own flush instead (<see cref="Layered.Backing.IBackingStore.SyncAll"/>, Volume.Sync.cs). Linux only.
/// Open it BEFORE writing what it must make durable: syncfs reports the write-back errors of the file system since
/// its descriptor was opened (Linux 5.8 and later), so an error in background write-back of a copy is not missed.
/// </summary>
internal sealed partial class FileSystemSync : IDisposable
{
    private readonly string _folder;
    private int _fd;

    private FileSystemSync(string folder, int fd)
    {
        _folder = folder;
        _fd = fd;
    }

    /// <summary>True where syncfs can be used: on Linux, for a folder that exists.</summary>
    public static bool IsAvailableFor(string folder) => OperatingSystem.IsLinux() && Directory.Exists(folder);

    public static FileSystemSync Open(string folder)
    {
        int directory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
        const int CloseOnExec = 0x80000;
        int fd = OpenFolder(folder, directory | CloseOnExec);
        if (fd < 0)
            throw new IOException($"cannot open '{folder}' to flush its file system: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return new FileSystemSync(folder, fd);
    }

    /// <summary>Flushes the file system; an IOException naming the folder when the kernel reports a write-back error.</summary>
    public void Sync()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (SyncFs(_fd) != 0)
            throw new IOException($"syncfs of the file system holding '{_folder}' failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    public void Dispose()
    {
        if (_fd >= 0)
            _ = Close(_fd);
        _fd = -1;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFolder(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
