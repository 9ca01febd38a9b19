using Layered.Fsd;
using Layered.WinFsp.Native;
using Microsoft.Extensions.Logging;
using EngineCleanup = Layered.Fsd.CleanupFlags;
using EngineDisposition = Layered.Fsd.CreateDisposition;
using WinFspCleanup = Layered.WinFsp.Native.CleanupFlags;

namespace Layered.WinFsp.Adapter;

// The access-check oracle, create, open, overwrite, cleanup and close.
public sealed partial class WinFspAdapter
{
    /// <summary>
    /// Attributes and descriptor of a name. A missing last component is exactly STATUS_OBJECT_NAME_NOT_FOUND; a
    /// missing or non-directory parent is STATUS_OBJECT_PATH_NOT_FOUND. A file with no stored descriptor reports
    /// <see cref="SelfRelativeDescriptor.Default"/>.
    /// </summary>
    public override int GetSecurityByName(string fileName, bool securityDescriptorWanted, out uint fileAttributes, out byte[]? securityDescriptor)
    {
        fileAttributes = 0;
        securityDescriptor = null;
        if (!TryResolve(fileName, out string path, out int refused))
            return ReparseOr(fileName, refused, out fileAttributes);
        var status = _volume.GetInfo(path, out var info);
        if (status == FsStatus.NotADirectory)
            status = FsStatus.PathNotFound; // a parent is a file: NT reports the path, not the name
        if (status != FsStatus.Success)
            return ReparseOr(fileName, Status(status), out fileAttributes);
        fileAttributes = ToFileInfo(path, info).FileAttributes;
        if (securityDescriptorWanted)
        {
            status = _volume.GetSecurity(path, out securityDescriptor);
            if (status != FsStatus.Success)
                return Status(status);
            securityDescriptor ??= SelfRelativeDescriptor.Default();
        }
        return NtStatus.Success;
    }

    /// <summary>
    /// A lookup that failed on the path (not on the last name) may have met a symlink on the way, which the engine
    /// does not follow: then STATUS_REPARSE with the symlink's component index, and WinFsp resolves it
    /// (ResolveReparsePoints). A missing last name (STATUS_OBJECT_NAME_NOT_FOUND) means every parent was a real
    /// directory, so only path failures are examined.
    /// </summary>
    private int ReparseOr(string fileName, int status, out uint fileAttributes)
    {
        fileAttributes = 0;
        if (status is NtStatus.ObjectPathNotFound or NtStatus.NotADirectory && TryFindReparsePoint(fileName, out uint index))
        {
            fileAttributes = index;
            return NtStatus.Reparse;
        }
        return status;
    }

    /// <summary>
    /// Create: the DLL calls it only when the name should be new (FILE_CREATE, or OPEN_IF/OVERWRITE_IF/SUPERSEDE
    /// after Open found nothing), so the engine is asked to create, never to open. The descriptor WinFsp built
    /// is stored with the file; if it cannot be stored the new file is removed again, so no file exists with
    /// weaker protection than asked for.
    /// </summary>
    public override int Create(
        string fileName, uint createOptions, uint grantedAccess, uint fileAttributes,
        ReadOnlySpan<byte> securityDescriptor, ulong allocationSize,
        ReadOnlySpan<byte> extraBuffer, bool extraBufferIsReparsePoint,
        out object? fileContext, out FspFileInfo fileInfo, out string? normalizedName)
    {
        fileContext = null;
        fileInfo = default;
        normalizedName = null;
        if (!TryResolve(fileName, out string path, out int refused))
            return refused;
        uint options = createOptions & CreateOptions.OptionsMask;
        if (extraBufferIsReparsePoint)
            return CreateSymlink(path, (options & CreateOptions.DirectoryFile) != 0, fileAttributes, securityDescriptor, extraBuffer,
                out fileContext, out fileInfo, out normalizedName);
        var request = new CreateRequest
        {
            Disposition = EngineDisposition.Create,
            Access = EngineAccess,
            Directory = (options & CreateOptions.DirectoryFile) != 0,
            NonDirectory = (options & CreateOptions.NonDirectoryFile) != 0,
            DeleteOnClose = (options & CreateOptions.DeleteOnClose) != 0,
            Attributes = (NtAttributes)fileAttributes & NtAttributes.Settable,
            AllocationSize = (long)Math.Min(allocationSize, (ulong)Volume.MaxFileSize),
        };
        var status = _volume.Create(path, request, out var handle, out var info, out _);
        if (status != FsStatus.Success)
            return Status(status);
        if (!securityDescriptor.IsEmpty)
        {
            status = _volume.SetSecurity(handle!, securityDescriptor);
            if (status != FsStatus.Success)
            {
                _volume.Cleanup(handle!, EngineCleanup.Delete);
                _volume.Close(handle!);
                return Status(status);
            }
        }
        fileContext = new OpenFile(handle!, info.InodeNumber);
        fileInfo = ToFileInfo(path, info);
        normalizedName = ToWinFspName(_volume.CurrentPath(handle!) ?? path);
        return NtStatus.Success;
    }

    /// <summary>
    /// Open an existing file or directory (also the first half of OVERWRITE and SUPERSEDE: WinFsp sends the
    /// truncation as a separate Overwrite). The real-case full path is returned as the normalized name.
    /// </summary>
    public override int Open(
        string fileName, uint createOptions, uint grantedAccess,
        out object? fileContext, out FspFileInfo fileInfo, out string? normalizedName)
    {
        fileContext = null;
        fileInfo = default;
        normalizedName = null;
        if (!TryResolve(fileName, out string path, out int refused))
            return refused;
        uint options = createOptions & CreateOptions.OptionsMask;
        var request = new CreateRequest
        {
            Disposition = EngineDisposition.Open,
            Access = EngineAccess,
            Directory = (options & CreateOptions.DirectoryFile) != 0,
            NonDirectory = (options & CreateOptions.NonDirectoryFile) != 0,
            DeleteOnClose = (options & CreateOptions.DeleteOnClose) != 0,
        };
        if (request.DeleteOnClose)
        {
            // Refused before opening, so the engine never sees a delete-on-close open it would act on.
            int refusal = DeleteOnCloseRefusal(path);
            if (refusal != NtStatus.Success)
                return refusal;
        }
        var status = _volume.Create(path, request, out var handle, out var info, out _);
        if (status == FsStatus.NotADirectory && request.Directory && IsSymlink(path))
        {
            // A directory symlink opened as itself (FILE_OPEN_REPARSE_POINT; WinFsp calls Open on a symlink only
            // then): the DLL already checked FILE_DIRECTORY_FILE against its attributes; the engine's symlink is a
            // file, so it is opened without the directory demand.
            status = _volume.Create(path, request with { Directory = false }, out handle, out info, out _);
        }
        if (status != FsStatus.Success)
            return Status(status);
        fileContext = new OpenFile(handle!, info.InodeNumber);
        fileInfo = ToFileInfo(path, info);
        normalizedName = path.Length == 0 ? null : ToWinFspName(_volume.CurrentPath(handle!) ?? path);
        return NtStatus.Success;
    }

    /// <summary>NTFS refuses FILE_DELETE_ON_CLOSE on a non-empty directory at the open, not silently at cleanup.</summary>
    private int DeleteOnCloseRefusal(string path)
    {
        var status = _volume.GetInfo(path, out var info);
        if (status != FsStatus.Success)
            return Status(status);
        if (!info.IsDirectory)
            return NtStatus.Success;
        var entries = new List<DirectoryEntry>(1);
        status = _volume.ReadDirectory(path, null, 1, withSizes: false, entries);
        if (status != FsStatus.Success)
            return Status(status);
        return entries.Count > 0 ? NtStatus.DirectoryNotEmpty : NtStatus.Success;
    }

    /// <summary>
    /// FILE_OVERWRITE(_IF) and FILE_SUPERSEDE on the file just opened: the engine's overwrite, which truncates and
    /// merges (overwrite) or replaces (supersede) the attributes, adding ARCHIVE, as NTFS does.
    /// </summary>
    public override int Overwrite(
        object fileContext, uint fileAttributes, bool replaceFileAttributes, ulong allocationSize,
        ReadOnlySpan<byte> extendedAttributes, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        var file = Context(fileContext);
        if (file.IsSymlink)
            return InfoOf(file, out fileInfo); // a symlink has no data to truncate; it stays a symlink
        string? path = _volume.CurrentPath(file.Handle);
        if (path is null)
            return NtStatus.DeletePending;
        var request = new CreateRequest
        {
            Disposition = replaceFileAttributes ? EngineDisposition.Supersede : EngineDisposition.Overwrite,
            Access = FileAccess2.ReadWrite,
            NonDirectory = true,
            Attributes = (NtAttributes)fileAttributes & NtAttributes.Settable,
            AllocationSize = (long)Math.Min(allocationSize, (ulong)Volume.MaxFileSize),
        };
        // The engine overwrites through an open of the name; this one lives only for the call.
        var status = _volume.Create(path, request, out var overwriting, out _, out _);
        if (status != FsStatus.Success)
            return Status(status);
        _volume.Release(overwriting!);
        return InfoOf(file, out fileInfo);
    }

    /// <summary>
    /// The last handle of one file object closed. WinFsp sets Delete only when the file must go now: at the last
    /// cleanup of a delete-pending file, or at once for a POSIX delete. The engine deletes at its own last
    /// cleanup; opens whose Cleanup WinFsp suppressed (PostCleanupWhenModifiedOnly) or that are still open after
    /// a POSIX delete would hold the name until they close, so the name is then removed at once through the
    /// engine's unlink, which keeps an open file readable as an orphan until its last close.
    /// </summary>
    public override void Cleanup(object fileContext, string? fileName, WinFspCleanup flags)
    {
        var file = Context(fileContext);
        var handle = file.Handle;
        bool delete = (flags & WinFspCleanup.Delete) != 0;
        if (!delete && !file.IsDirectory && !file.IsSymlink)
            ApplyCleanupAttributes(file, flags);
        // The engine's flags carry WinFsp's values (FspCleanup*).
        var engineFlags = (EngineCleanup)(uint)flags;
        var status = _volume.Cleanup(handle, engineFlags);
        if (status != FsStatus.Success)
            Logger.LogWarning("Cleanup of '{File}' ({Flags}) failed: {Status}", fileName ?? handle.OpenedPath, flags, status);
        if (delete && fileName is not null)
            RemoveNameIfStillThere(file, fileName);
    }

    private void RemoveNameIfStillThere(OpenFile file, string fileName)
    {
        if (!TryResolve(fileName, out string path, out _) || path.Length == 0)
            return;
        if (_volume.GetInfo(path, out var info) != FsStatus.Success || info.InodeNumber != file.IndexNumber)
            return; // gone already (the engine's last cleanup), or the name now belongs to another file
        var status = info.IsDirectory ? _volume.RemoveDirectory(path) : _volume.Unlink(path);
        if (status != FsStatus.Success)
            Logger.LogWarning("Delete of '{File}' at cleanup failed: {Status}", fileName, status);
    }

    /// <summary>What WinFsp asks of the last cleanup of a changed file: allocation back to the file size, and the
    /// archive bit set.</summary>
    private void ApplyCleanupAttributes(OpenFile file, WinFspCleanup flags)
    {
        if ((flags & (WinFspCleanup.SetAllocationSize | WinFspCleanup.SetArchiveBit)) == 0 || _volume.ReadOnly)
            return;
        if (_volume.GetInfo(file.Handle, out var info) != FsStatus.Success)
            return;
        if ((flags & WinFspCleanup.SetAllocationSize) != 0)
            _volume.SetAllocationSize(file.Handle, info.EndOfFile);
        if ((flags & WinFspCleanup.SetArchiveBit) != 0 && (info.Attributes & NtAttributes.Archive) == 0)
            _volume.SetBasicInfo(file.Handle, new BasicInfoChange(Attributes: (info.Attributes & NtAttributes.Settable) | NtAttributes.Archive), out _);
    }

    /// <summary>The last call for a context: the engine handle is closed (its last close frees orphans).</summary>
    public override void Close(object fileContext) => _volume.Close(Context(fileContext).Handle);

    /// <summary>What every engine handle of this host may do (see the class comment): all, or read on a read-only volume.</summary>
    private FileAccess2 EngineAccess => _volume.ReadOnly ? FileAccess2.Read : FileAccess2.All;
}
