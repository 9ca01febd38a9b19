using Layered.WinFsp.Interop;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>
/// The two WinFsp DLL helpers the reparse callbacks call back into: FspFileSystemResolveReparsePoints (path
/// resolution through symlinks, which asks <see cref="FileSystemCallbacks.GetReparsePointByName"/> for each
/// component) and FspFileSystemGetOperationContext (the request, for TargetOnFileSystem). Thin wrappers: every
/// decision about a reparse point is the managed file system's.
/// </summary>
public sealed unsafe class ReparseNatives
{
    private readonly WinFspApi _api;

    public ReparseNatives(WinFspApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        _api = api;
    }

    /// <summary>Resolves <paramref name="fileName"/> through its reparse points; the DLL fills the I/O status and buffer.</summary>
    internal int ResolveReparsePoints(
        FspFileSystemHeader* fileSystem, char* fileName, uint reparsePointIndex, bool resolveLastPathComponent,
        IoStatusBlock* ioStatus, void* buffer, nuint* size) =>
        _api.FspFileSystemResolveReparsePoints(
            fileSystem, &FileSystemCallbacks.GetReparsePointByName, null, fileName, reparsePointIndex,
            resolveLastPathComponent ? (byte)1 : (byte)0, ioStatus, buffer, size);

    /// <summary>Req.FileSystemControl.TargetOnFileSystem of the request being served (0 outside a callback).</summary>
    internal int TargetOnFileSystem()
    {
        FspOperationContext* context = _api.FspFileSystemGetOperationContext();
        if (context is null || context->Request is null)
        {
            return 0;
        }

        return *(ushort*)(context->Request + TransactRequestLayout.FileSystemControlTargetOnFileSystem);
    }
}
