using Layered.WinFsp.Native;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Managed;

/// <summary>
/// The WinFsp callbacks in managed terms: what the engine adapter implements. The native thunks
/// (<see cref="Callbacks.FileSystemCallbacks"/>) translate pointers into strings, spans and
/// <see cref="FspFileInfo"/> values, keep the per-open contexts in <see cref="OpenContexts"/>, and turn
/// any exception into an NTSTATUS through <see cref="OnCallbackException"/>.
/// Every method returns an NTSTATUS (<see cref="NtStatus"/>); the defaults return
/// STATUS_INVALID_DEVICE_REQUEST, which is what WinFsp itself answers for an empty slot.
/// A file context is whatever object Create or Open returned; it is handed back until Close.
/// </summary>
public abstract class WinFspFileSystemBase
{
    protected WinFspFileSystemBase(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        Logger = logger;
    }

    /// <summary>Where callback failures are logged.</summary>
    public ILogger Logger { get; }

    /// <summary>The contexts of handles that are open (Create/Open succeeded, Close not yet received).</summary>
    public FileContextTable OpenContexts { get; } = new();

    /// <summary>
    /// Maps an exception thrown by a callback to the status WinFsp gets. Default: log it and return
    /// STATUS_UNEXPECTED_IO_ERROR, as the official binding does. Never let this method throw.
    /// </summary>
    public virtual int OnCallbackException(string callback, Exception exception)
    {
        Logger.LogError(exception, "WinFsp callback {Callback} failed", callback);
        return NtStatus.UnexpectedIoError;
    }

    public virtual int GetVolumeInfo(out FspVolumeInfo volumeInfo)
    {
        volumeInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    public virtual int SetVolumeLabel(string volumeLabel, out FspVolumeInfo volumeInfo)
    {
        volumeInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// The access-check oracle run before every create and open. Return STATUS_OBJECT_NAME_NOT_FOUND
    /// exactly when the last component is missing, or STATUS_REPARSE with the reparse point's component
    /// index in <paramref name="fileAttributes"/>. A null <paramref name="securityDescriptor"/> (or an
    /// empty one) skips the access check. <paramref name="securityDescriptorWanted"/> is false when the
    /// DLL did not ask for it, so computing it can be skipped.
    /// </summary>
    public virtual int GetSecurityByName(string fileName, bool securityDescriptorWanted, out uint fileAttributes, out byte[]? securityDescriptor)
    {
        fileAttributes = 0;
        securityDescriptor = null;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// Create a file or directory (CreateEx slot). <paramref name="createOptions"/> still carries the
    /// disposition in bits 24-31. <paramref name="securityDescriptor"/> is the self-relative descriptor
    /// the DLL built for the new file (empty if none). <paramref name="extraBuffer"/> holds EAs or, when
    /// <paramref name="extraBufferIsReparsePoint"/>, reparse data. <paramref name="normalizedName"/> is
    /// the full path with its real case, or null to let WinFsp keep the caller's name.
    /// </summary>
    public virtual int Create(
        string fileName, uint createOptions, uint grantedAccess, uint fileAttributes,
        ReadOnlySpan<byte> securityDescriptor, ulong allocationSize,
        ReadOnlySpan<byte> extraBuffer, bool extraBufferIsReparsePoint,
        out object? fileContext, out FspFileInfo fileInfo, out string? normalizedName)
    {
        fileContext = null;
        fileInfo = default;
        normalizedName = null;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>Open an existing file or directory; access was already checked.</summary>
    public virtual int Open(
        string fileName, uint createOptions, uint grantedAccess,
        out object? fileContext, out FspFileInfo fileInfo, out string? normalizedName)
    {
        fileContext = null;
        fileInfo = default;
        normalizedName = null;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// Truncate to zero for FILE_OVERWRITE(_IF) and FILE_SUPERSEDE (OverwriteEx slot).
    /// <paramref name="replaceFileAttributes"/> is true for SUPERSEDE. On failure WinFsp itself closes
    /// the context.
    /// </summary>
    public virtual int Overwrite(
        object fileContext, uint fileAttributes, bool replaceFileAttributes, ulong allocationSize,
        ReadOnlySpan<byte> extendedAttributes, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// The last handle of one file object closed. Cannot fail. <paramref name="fileName"/> is non-null
    /// only when <see cref="CleanupFlags.Delete"/> is set: the delete happens here.
    /// </summary>
    public virtual void Cleanup(object fileContext, string? fileName, CleanupFlags flags)
    {
    }

    /// <summary>The last call for a context: release everything it holds.</summary>
    public virtual void Close(object fileContext)
    {
    }

    /// <summary>
    /// Read into <paramref name="buffer"/> (the caller's memory, valid only during the call). Return
    /// STATUS_END_OF_FILE when <paramref name="offset"/> is at or past the end of file.
    /// </summary>
    public virtual int Read(object fileContext, Span<byte> buffer, ulong offset, out uint bytesTransferred)
    {
        bytesTransferred = 0;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// Write <paramref name="buffer"/>. With <paramref name="writeToEndOfFile"/> the offset is
    /// meaningless: append at the current end. With <paramref name="constrainedIo"/> (paging I/O) clip
    /// to the end of file and never extend. Always return the exact post-write FileInfo.
    /// </summary>
    public virtual int Write(
        object fileContext, ReadOnlySpan<byte> buffer, ulong offset, bool writeToEndOfFile, bool constrainedIo,
        out uint bytesTransferred, out FspFileInfo fileInfo)
    {
        bytesTransferred = 0;
        fileInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>Flush one file, or the volume when <paramref name="fileContext"/> is null.</summary>
    public virtual int Flush(object? fileContext, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    public virtual int GetFileInfo(object fileContext, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// <paramref name="fileAttributes"/> of <see cref="FileAttributeBits.Invalid"/> and times of 0 mean
    /// "leave unchanged".
    /// </summary>
    public virtual int SetBasicInfo(
        object fileContext, uint fileAttributes, ulong creationTime, ulong lastAccessTime,
        ulong lastWriteTime, ulong changeTime, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>Set the end of file, or the allocation size when <paramref name="setAllocationSize"/>.</summary>
    public virtual int SetFileSize(object fileContext, ulong newSize, bool setAllocationSize, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// Set or clear the delete disposition (SetDelete slot). Validate here (e.g.
    /// STATUS_DIRECTORY_NOT_EMPTY); never delete here: the delete happens at Cleanup.
    /// </summary>
    public virtual int SetDelete(object fileContext, string fileName, bool deleteFile) => NtStatus.InvalidDeviceRequest;

    /// <summary>Both names are full paths. Never replace a directory.</summary>
    public virtual int Rename(object fileContext, string fileName, string newFileName, bool replaceIfExists) =>
        NtStatus.InvalidDeviceRequest;

    /// <summary>The file's self-relative security descriptor.</summary>
    public virtual int GetSecurity(object fileContext, out byte[]? securityDescriptor)
    {
        securityDescriptor = null;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// Apply <paramref name="modificationDescriptor"/> (self-relative) for the parts selected by
    /// <paramref name="securityInformation"/> (OWNER 1, GROUP 2, DACL 4, SACL 8).
    /// </summary>
    public virtual int SetSecurity(object fileContext, uint securityInformation, ReadOnlySpan<byte> modificationDescriptor) =>
        NtStatus.InvalidDeviceRequest;

    /// <summary>
    /// List the directory in a stable order, starting strictly after <paramref name="marker"/> (null
    /// means from the start). Add the end marker only when every remaining entry fit.
    /// </summary>
    public virtual int ReadDirectory(object fileContext, string? pattern, string? marker, DirectoryBufferWriter entries) =>
        NtStatus.InvalidDeviceRequest;

    /// <summary>
    /// Look one component up in a directory. <paramref name="realName"/> is the component with its
    /// on-disk case (null keeps the caller's).
    /// </summary>
    public virtual int GetDirInfoByName(object directoryContext, string fileName, out string? realName, out FspFileInfo fileInfo)
    {
        realName = null;
        fileInfo = default;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// FSCTL_GET_REPARSE_POINT on an open file: write its REPARSE_DATA_BUFFER into <paramref name="buffer"/>.
    /// STATUS_NOT_A_REPARSE_POINT when it is none; STATUS_BUFFER_TOO_SMALL when the buffer cannot hold it.
    /// </summary>
    public virtual int GetReparsePoint(object fileContext, string fileName, Span<byte> buffer, out int bytesWritten)
    {
        bytesWritten = 0;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// FSCTL_SET_REPARSE_POINT on an open file. <paramref name="targetOnFileSystem"/> is what the FSD computed for an
    /// absolute symlink target: the byte offset into the substitute name where the path inside this file system
    /// starts, or 0 when the target is not on this file system (FSP_FSCTL_TRANSACT_REQ FileSystemControl).
    /// </summary>
    public virtual int SetReparsePoint(object fileContext, string fileName, ReadOnlySpan<byte> buffer, int targetOnFileSystem) =>
        NtStatus.InvalidDeviceRequest;

    /// <summary>FSCTL_DELETE_REPARSE_POINT: <paramref name="buffer"/> holds the header of the reparse point to remove.</summary>
    public virtual int DeleteReparsePoint(object fileContext, string fileName, ReadOnlySpan<byte> buffer) =>
        NtStatus.InvalidDeviceRequest;

    /// <summary>
    /// The reparse point of a name, for WinFsp's path-resolution helpers (FspFileSystemResolveReparsePoints and
    /// FspFileSystemFindReparsePoint call it for each component). With <paramref name="wantData"/> false only
    /// whether the name is a reparse point is asked: STATUS_SUCCESS, or STATUS_NOT_A_REPARSE_POINT.
    /// </summary>
    public virtual int GetReparsePointByName(string fileName, bool isDirectory, bool wantData, Span<byte> buffer, out int bytesWritten)
    {
        bytesWritten = 0;
        return NtStatus.InvalidDeviceRequest;
    }

    /// <summary>
    /// WinFsp's reparse helpers, set by the host when the file system is mounted. Null when nothing native is
    /// bound (tests): ResolveReparsePoints then answers STATUS_INVALID_DEVICE_REQUEST.
    /// </summary>
    internal Callbacks.ReparseNatives? ReparseNatives { get; set; }

    /// <summary>
    /// The dispatcher stopped; <paramref name="normally"/> is false when the FSD unmounted the volume on
    /// its own (e.g. the driver was uninstalled).
    /// </summary>
    public virtual void DispatcherStopped(bool normally)
    {
    }

    /// <summary>
    /// Closes every context WinFsp never closed. WinFsp does not deliver outstanding Closes at unmount
    /// (winfsp#652), so the host calls this after the dispatcher stopped. Returns how many it closed.
    /// </summary>
    public int CloseAbandonedContexts()
    {
        List<object> abandoned = OpenContexts.RemoveAll();
        foreach (object context in abandoned)
        {
            try
            {
                Close(context);
            }
            catch (Exception exception)
            {
                Logger.LogError(exception, "Closing a context WinFsp left open at unmount failed");
            }
        }

        return abandoned.Count;
    }
}
