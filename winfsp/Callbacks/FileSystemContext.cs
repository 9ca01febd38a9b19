using System.Runtime.InteropServices;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>
/// Ties a native FSP_FILE_SYSTEM to its managed file system through a strong GCHandle stored in
/// UserContext (offset 8). Disposing detaches it; do that only after FspFileSystemDelete, when no
/// dispatcher thread can call back any more.
/// </summary>
public sealed unsafe class FileSystemContext : IDisposable
{
    private readonly FspFileSystemHeader* _fileSystem;
    private GCHandle _handle;

    private FileSystemContext(FspFileSystemHeader* fileSystem, GCHandle handle)
    {
        _fileSystem = fileSystem;
        _handle = handle;
    }

    public static FileSystemContext Attach(FspFileSystemHeader* fileSystem, WinFspFileSystemBase managed)
    {
        ArgumentNullException.ThrowIfNull(managed);
        if (fileSystem is null)
        {
            throw new ArgumentNullException(nameof(fileSystem));
        }

        GCHandle handle = GCHandle.Alloc(managed);
        fileSystem->UserContext = GCHandle.ToIntPtr(handle);
        return new FileSystemContext(fileSystem, handle);
    }

    public void Dispose()
    {
        if (_handle.IsAllocated)
        {
            _fileSystem->UserContext = 0;
            _handle.Free();
        }
    }
}
