using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// FSP_FILE_SYSTEM_OPERATION_CONTEXT: what FspFileSystemGetOperationContext returns on a dispatcher thread inside
/// a callback, the request being served and the response being built (16 bytes on x64).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FspOperationContext
{
    public byte* Request;
    public byte* Response;
}

/// <summary>
/// Offsets inside FSP_FSCTL_TRANSACT_REQ (inc/winfsp/fsctl.h; the Req union starts at 16) that Layered reads.
/// </summary>
public static class TransactRequestLayout
{
    /// <summary>
    /// Req.FileSystemControl.TargetOnFileSystem (UINT16), after UserContext @16, UserContext2 @24, FsControlCode @32
    /// and the 4-byte Buffer descriptor @36: for FSCTL_SET_REPARSE_POINT with an absolute symlink target, the byte
    /// offset into the substitute name where the path inside this file system starts; 0 when the target is elsewhere.
    /// </summary>
    public const int FileSystemControlTargetOnFileSystem = 40;
}

/// <summary>IO_STATUS_BLOCK (16 bytes on x64): what ResolveReparsePoints reports besides its status.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IoStatusBlock
{
    public nint Status;
    public nuint Information;
}
