using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Layered.Backing.DirectoryStore;

/// <summary>
/// syncfs(2) through a descriptor of the store's folder: every dirty page and inode of that file system reaches the
/// disk in one call and one journal commit. The descriptor is a SafeHandle so a flush racing the store's disposal
/// fails with ObjectDisposedException instead of reaching a reused descriptor number.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxFileSystemFlush : IFileSystemFlush
{
    private readonly string _folder;
    private readonly SafeFileHandle _directory;

    private LinuxFileSystemFlush(string folder, SafeFileHandle directory)
    {
        _folder = folder;
        _directory = directory;
    }

    /// <summary>Opens the folder (not following a link); a BackingStoreException naming it when that fails.</summary>
    public static LinuxFileSystemFlush Open(string folder)
    {
        var fd = LinuxLibc.Open(folder, LinuxLibc.ORdOnly | LinuxLibc.ODirectory | LinuxLibc.OCloExec, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BackingStoreException(LinuxErrno.ToBackingError(errno), "",
                $"Cannot open '{folder}' to flush its file system ({LinuxErrno.Describe(errno)})");
        }
        return new LinuxFileSystemFlush(folder, new SafeFileHandle(fd, ownsHandle: true));
    }

    public void Flush()
    {
        if (LinuxLibc.Syncfs(_directory) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BackingStoreException(LinuxErrno.ToBackingError(errno), "",
                $"syncfs of the file system holding '{_folder}' failed ({LinuxErrno.Describe(errno)})");
        }
    }

    public void Dispose() => _directory.Dispose();
}
