using Layered.WinFsp.Native;

namespace Layered.WinFsp.Interop;

/// <summary>
/// The winfsp-x64.dll exports Layered calls, as C function pointers resolved by name (signatures from
/// inc/winfsp/winfsp.h; no WinFsp export names a calling convention, so they are cdecl).
/// </summary>
public sealed unsafe class WinFspApi
{
    /// <summary>Every export this class binds, in binding order.</summary>
    public static readonly IReadOnlyList<string> ExportNames =
    [
        "FspVersion",
        "FspFileSystemPreflight",
        "FspFileSystemCreate",
        "FspFileSystemDelete",
        "FspFileSystemSetMountPoint",
        "FspFileSystemRemoveMountPoint",
        "FspFileSystemMountPointF",
        "FspFileSystemStartDispatcher",
        "FspFileSystemStopDispatcher",
        "FspFileSystemSetOperationGuardStrategyF",
        "FspFileSystemSetDebugLogF",
        "FspDebugLogSetHandle",
        "FspNtStatusFromWin32",
        "FspWin32FromNtStatus",
        "FspFileSystemResolveReparsePoints",
        "FspFileSystemGetOperationContext",
    ];

    /// <summary>NTSTATUS FspVersion(UINT32 *PVersion): (major &lt;&lt; 16) | minor of the DLL file.</summary>
    public readonly delegate* unmanaged[Cdecl]<uint*, int> FspVersion;

    /// <summary>NTSTATUS FspFileSystemPreflight(PWSTR DevicePath, PWSTR MountPoint).</summary>
    public readonly delegate* unmanaged[Cdecl]<char*, char*, int> FspFileSystemPreflight;

    /// <summary>NTSTATUS FspFileSystemCreate(PWSTR DevicePath, const VOLUME_PARAMS*, const INTERFACE*, FSP_FILE_SYSTEM**).</summary>
    public readonly delegate* unmanaged[Cdecl]<char*, FspVolumeParams*, FspFileSystemInterface*, FspFileSystemHeader**, int> FspFileSystemCreate;

    /// <summary>VOID FspFileSystemDelete(FSP_FILE_SYSTEM*): removes the mount point, deletes the volume.</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void> FspFileSystemDelete;

    /// <summary>NTSTATUS FspFileSystemSetMountPoint(FSP_FILE_SYSTEM*, PWSTR MountPoint); NULL means first free drive.</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, int> FspFileSystemSetMountPoint;

    /// <summary>VOID FspFileSystemRemoveMountPoint(FSP_FILE_SYSTEM*).</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void> FspFileSystemRemoveMountPoint;

    /// <summary>PWSTR FspFileSystemMountPointF(FSP_FILE_SYSTEM*): the mount point actually used.</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*> FspFileSystemMountPointF;

    /// <summary>NTSTATUS FspFileSystemStartDispatcher(FSP_FILE_SYSTEM*, ULONG ThreadCount); 0 = CPUs clamped to [4,16].</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, uint, int> FspFileSystemStartDispatcher;

    /// <summary>VOID FspFileSystemStopDispatcher(FSP_FILE_SYSTEM*): joins every dispatcher thread.</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void> FspFileSystemStopDispatcher;

    /// <summary>VOID FspFileSystemSetOperationGuardStrategyF(FSP_FILE_SYSTEM*, strategy).</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, int, void> FspFileSystemSetOperationGuardStrategyF;

    /// <summary>VOID FspFileSystemSetDebugLogF(FSP_FILE_SYSTEM*, UINT32 DebugLog): bit (1 &lt;&lt; request kind).</summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, uint, void> FspFileSystemSetDebugLogF;

    /// <summary>VOID FspDebugLogSetHandle(HANDLE): where the DLL's debug log goes.</summary>
    public readonly delegate* unmanaged[Cdecl]<nint, void> FspDebugLogSetHandle;

    /// <summary>NTSTATUS FspNtStatusFromWin32(UINT32 Error).</summary>
    public readonly delegate* unmanaged[Cdecl]<uint, int> FspNtStatusFromWin32;

    /// <summary>UINT32 FspWin32FromNtStatus(NTSTATUS Status).</summary>
    public readonly delegate* unmanaged[Cdecl]<int, uint> FspWin32FromNtStatus;

    /// <summary>
    /// NTSTATUS FspFileSystemResolveReparsePoints(FSP_FILE_SYSTEM*, GetReparsePointByName, PVOID Context, PWSTR FileName,
    /// UINT32 ReparsePointIndex, BOOLEAN ResolveLastPathComponent, PIO_STATUS_BLOCK, PVOID Buffer, PSIZE_T PSize).
    /// The callback is NTSTATUS (FSP_FILE_SYSTEM*, PVOID Context, PWSTR FileName, BOOLEAN IsDirectory, PVOID Buffer, PSIZE_T PSize).
    /// </summary>
    public readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void*, char*, byte, void*, nuint*, int>, void*, char*, uint, byte, IoStatusBlock*, void*, nuint*, int> FspFileSystemResolveReparsePoints;

    /// <summary>FSP_FILE_SYSTEM_OPERATION_CONTEXT *FspFileSystemGetOperationContext(VOID): valid inside a callback only.</summary>
    public readonly delegate* unmanaged[Cdecl]<FspOperationContext*> FspFileSystemGetOperationContext;

    private WinFspApi(Func<string, nint> resolve)
    {
        FspVersion = (delegate* unmanaged[Cdecl]<uint*, int>)resolve("FspVersion");
        FspFileSystemPreflight = (delegate* unmanaged[Cdecl]<char*, char*, int>)resolve("FspFileSystemPreflight");
        FspFileSystemCreate = (delegate* unmanaged[Cdecl]<char*, FspVolumeParams*, FspFileSystemInterface*, FspFileSystemHeader**, int>)resolve("FspFileSystemCreate");
        FspFileSystemDelete = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void>)resolve("FspFileSystemDelete");
        FspFileSystemSetMountPoint = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, int>)resolve("FspFileSystemSetMountPoint");
        FspFileSystemRemoveMountPoint = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void>)resolve("FspFileSystemRemoveMountPoint");
        FspFileSystemMountPointF = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*>)resolve("FspFileSystemMountPointF");
        FspFileSystemStartDispatcher = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, uint, int>)resolve("FspFileSystemStartDispatcher");
        FspFileSystemStopDispatcher = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void>)resolve("FspFileSystemStopDispatcher");
        FspFileSystemSetOperationGuardStrategyF = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, int, void>)resolve("FspFileSystemSetOperationGuardStrategyF");
        FspFileSystemSetDebugLogF = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, uint, void>)resolve("FspFileSystemSetDebugLogF");
        FspDebugLogSetHandle = (delegate* unmanaged[Cdecl]<nint, void>)resolve("FspDebugLogSetHandle");
        FspNtStatusFromWin32 = (delegate* unmanaged[Cdecl]<uint, int>)resolve("FspNtStatusFromWin32");
        FspWin32FromNtStatus = (delegate* unmanaged[Cdecl]<int, uint>)resolve("FspWin32FromNtStatus");
        FspFileSystemResolveReparsePoints = (delegate* unmanaged[Cdecl]<FspFileSystemHeader*, delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void*, char*, byte, void*, nuint*, int>, void*, char*, uint, byte, IoStatusBlock*, void*, nuint*, int>)resolve("FspFileSystemResolveReparsePoints");
        FspFileSystemGetOperationContext = (delegate* unmanaged[Cdecl]<FspOperationContext*>)resolve("FspFileSystemGetOperationContext");
    }

    /// <summary>
    /// Binds every export through <paramref name="tryGetExport"/> (null or 0 = missing).
    /// </summary>
    /// <param name="libraryPath">Named in the error when an export is missing.</param>
    /// <exception cref="WinFspNotInstalledException">An export is missing: the DLL is too old or not WinFsp.</exception>
    public static WinFspApi Bind(string libraryPath, Func<string, nint> tryGetExport)
    {
        ArgumentNullException.ThrowIfNull(tryGetExport);
        return new WinFspApi(name =>
        {
            nint address = tryGetExport(name);
            if (address == 0)
            {
                throw new WinFspNotInstalledException(
                    $"'{libraryPath}' does not export {name}; it is not a WinFsp 2.x DLL. Install or update WinFsp.");
            }

            return address;
        });
    }
}
