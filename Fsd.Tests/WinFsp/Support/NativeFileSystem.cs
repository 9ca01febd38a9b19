using System.Runtime.InteropServices;
using Layered.WinFsp.Callbacks;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests.Support;

/// <summary>
/// A fake FSP_FILE_SYSTEM in unmanaged memory (what FspFileSystemCreate would return) with its
/// UserContext attached to a managed file system exactly as the host does it.
/// </summary>
public sealed unsafe class NativeFileSystem : IDisposable
{
    private readonly FileSystemContext _context;

    public NativeFileSystem(WinFspFileSystemBase managed)
    {
        Pointer = (FspFileSystemHeader*)NativeMemory.AllocZeroed((nuint)sizeof(FspFileSystemHeader));
        _context = FileSystemContext.Attach(Pointer, managed);
    }

    public FspFileSystemHeader* Pointer { get; private set; }

    public void Dispose()
    {
        _context.Dispose();
        NativeMemory.Free(Pointer);
        Pointer = null;
    }
}
