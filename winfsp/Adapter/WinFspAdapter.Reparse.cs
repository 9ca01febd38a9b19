using Layered.Fsd;
using Layered.WinFsp.Native;
using Microsoft.Extensions.Logging;
using EngineDisposition = Layered.Fsd.CreateDisposition;

namespace Layered.WinFsp.Adapter;

// Symlinks as reparse points (IO_REPARSE_TAG_SYMLINK). The engine keeps a symlink as a POSIX target; the rules that
// map it to and from Windows reparse data are SymlinkTargets'. Other tags are refused: the engine has no place for
// opaque reparse data.
public sealed partial class WinFspAdapter
{
    /// <summary>How many symlinks deciding "is this a directory symlink" follows before it answers "no".</summary>
    private const int MaxSymlinkHops = 8;

    public override int GetReparsePoint(object fileContext, string fileName, Span<byte> buffer, out int bytesWritten)
    {
        bytesWritten = 0;
        var file = Context(fileContext);
        if (!file.IsSymlink)
            return NtStatus.NotAReparsePoint;
        string? path = _volume.CurrentPath(file.Handle);
        if (path is null)
            return NtStatus.DeletePending;
        return ReparseDataOf(path, wantData: true, buffer, out bytesWritten);
    }

    /// <summary>For the DLL's path resolution: the symlink at <paramref name="fileName"/>, or NOT_A_REPARSE_POINT.</summary>
    public override int GetReparsePointByName(string fileName, bool isDirectory, bool wantData, Span<byte> buffer, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!TryResolve(fileName, out string path, out int refused))
            return refused;
        return ReparseDataOf(path, wantData, buffer, out bytesWritten);
    }

    private int ReparseDataOf(string path, bool wantData, Span<byte> buffer, out int bytesWritten)
    {
        bytesWritten = 0;
        var status = _volume.ReadSymlink(path, out string target);
        if (status != FsStatus.Success)
            return Status(status); // NotASymlink is STATUS_NOT_A_REPARSE_POINT
        if (!wantData)
            return NtStatus.Success;
        var data = SymlinkTargets.ToWindows(target, out _);
        return ReparseDataBuffer.WriteSymlink(data, buffer, out bytesWritten);
    }

    /// <summary>
    /// Makes the open file or directory a symlink (CreateSymbolicLink is CreateEx, then this FSCTL), or changes the
    /// target of a symlink. A directory becomes a directory symlink and must be empty (as on NTFS); a file must hold
    /// no data, because an engine symlink has none to keep (STATUS_ACCESS_DENIED, nothing changed). The engine
    /// object behind the name is replaced: the old one is removed, the symlink created in its place with the old
    /// one's security descriptor and attributes, and this open moves to it. Everything that can be refused is
    /// checked before anything changes.
    /// </summary>
    public override int SetReparsePoint(object fileContext, string fileName, ReadOnlySpan<byte> buffer, int targetOnFileSystem)
    {
        var file = Context(fileContext);
        if (_volume.ReadOnly)
            return NtStatus.MediaWriteProtected;
        int parsed = ReparseDataBuffer.TryParseSymlink(buffer, out var data);
        if (parsed != NtStatus.Success)
            return parsed;
        string? path = _volume.CurrentPath(file.Handle);
        if (path is null)
            return NtStatus.DeletePending;
        if (path.Length == 0)
            return NtStatus.AccessDenied; // the root is never a reparse point
        var status = _volume.GetInfo(file.Handle, out var info);
        if (status != FsStatus.Success)
            return Status(status);
        bool directory;
        if (info.Type == NodeType.Symlink)
            directory = IsDirectorySymlink(path);
        else if (info.IsDirectory)
        {
            directory = true;
            var entries = new List<DirectoryEntry>(1);
            status = _volume.ReadDirectory(path, null, 1, withSizes: false, entries);
            if (status != FsStatus.Success)
                return Status(status);
            if (entries.Count > 0)
                return NtStatus.DirectoryNotEmpty;
        }
        else
        {
            directory = false;
            if (info.EndOfFile > 0)
                return NtStatus.AccessDenied;
        }
        int converted = SymlinkTargets.ToEngine(data, targetOnFileSystem, directory, out string target);
        if (converted != NtStatus.Success)
            return converted;
        return ReplaceObject(file, path, info, directory, target);
    }

    /// <summary>
    /// Removes the symlink from the open file: it becomes an empty file, or an empty directory if it was a directory
    /// symlink, with the symlink's security descriptor and attributes. The buffer is a reparse header with no data
    /// whose tag must be the symlink tag (STATUS_IO_REPARSE_TAG_MISMATCH otherwise, as
    /// FspFileSystemCanReplaceReparsePoint answers).
    /// </summary>
    public override int DeleteReparsePoint(object fileContext, string fileName, ReadOnlySpan<byte> buffer)
    {
        var file = Context(fileContext);
        if (_volume.ReadOnly)
            return NtStatus.MediaWriteProtected;
        if (!ReparseDataBuffer.TryReadHeader(buffer, out uint tag, out int dataLength))
            return NtStatus.IoReparseDataInvalid;
        if (ReparseDataBuffer.IsReservedTag(tag))
            return NtStatus.IoReparseTagInvalid;
        if (!file.IsSymlink)
            return NtStatus.NotAReparsePoint;
        if (tag != ReparseDataBuffer.SymlinkTag)
            return NtStatus.IoReparseTagMismatch;
        if (dataLength != 0)
            return NtStatus.IoReparseDataInvalid;
        string? path = _volume.CurrentPath(file.Handle);
        if (path is null)
            return NtStatus.DeletePending;
        var status = _volume.GetInfo(file.Handle, out var info);
        if (status != FsStatus.Success)
            return Status(status);
        return ReplaceObject(file, path, info, IsDirectorySymlink(path), symlinkTarget: null);
    }

    /// <summary>
    /// Replaces the object at <paramref name="path"/> (the one <paramref name="file"/> has open) by a symlink to
    /// <paramref name="symlinkTarget"/>, or by an empty file or directory when it is null, keeping the descriptor and
    /// the settable attributes, and moves the open to the new object. The step that cannot be undone is the
    /// removal; if creating the replacement then fails (an I/O error), the name is left empty and the status says so.
    /// </summary>
    private int ReplaceObject(OpenFile file, string path, in FileInformation old, bool directory, string? symlinkTarget)
    {
        var status = _volume.GetSecurity(file.Handle, out byte[]? descriptor);
        if (status != FsStatus.Success)
            return Status(status);
        var attributes = old.Attributes & NtAttributes.Settable;
        status = old.IsDirectory ? _volume.RemoveDirectory(path) : _volume.Unlink(path);
        if (status != FsStatus.Success)
            return Status(status);
        FileHandle? created;
        if (symlinkTarget is not null)
        {
            status = _volume.CreateSymlink(path, symlinkTarget, -1, -1, out _);
            if (status == FsStatus.Success)
                status = _volume.Create(path, new CreateRequest { Disposition = EngineDisposition.Open, Access = EngineAccess }, out created, out _, out _);
            else
                created = null;
        }
        else
        {
            var request = new CreateRequest
            {
                Disposition = EngineDisposition.Create,
                Access = EngineAccess,
                Directory = directory,
                NonDirectory = !directory,
                Attributes = attributes,
            };
            status = _volume.Create(path, request, out created, out _, out _);
        }
        if (status != FsStatus.Success)
        {
            Logger.LogError("Replacing '{Path}' for a reparse point change failed after the old object was removed: {Status}", path, status);
            return Status(status);
        }
        if (descriptor is not null)
            status = _volume.SetSecurity(created!, descriptor);
        // A new engine symlink reports ARCHIVE until it has attributes of its own; it takes the replaced object's.
        if (status == FsStatus.Success && symlinkTarget is not null)
            status = _volume.SetBasicInfo(created!, new BasicInfoChange(Attributes: attributes), out _);
        if (status != FsStatus.Success)
            Logger.LogWarning("'{Path}' lost its descriptor or attributes in a reparse point change: {Status}", path, status);
        _volume.GetInfo(created!, out var info);
        var previous = file.Replace(created!, info.InodeNumber);
        _volume.Release(previous);
        return Status(status);
    }

    /// <summary>
    /// Whether a symlink is a directory symlink on Windows: its target carries the trailing '/' that records one
    /// (SymlinkTargets), or, for a symlink made on Linux, its target resolves inside the volume to a directory now.
    /// </summary>
    private bool IsDirectorySymlink(string path)
    {
        for (int hop = 0; hop < MaxSymlinkHops; hop++)
        {
            if (_volume.ReadSymlink(path, out string target) != FsStatus.Success)
                return false;
            if (target.EndsWith('/'))
                return true;
            if (!TryResolveTarget(path, target, out string resolved) || _volume.GetInfo(resolved, out var info) != FsStatus.Success)
                return false;
            if (info.Type != NodeType.Symlink)
                return info.IsDirectory;
            path = resolved;
        }
        return false;
    }

    /// <summary>A symlink's target as a stored engine path: relative to the link's directory, or, starting with
    /// '/', to the volume root; "." and ".." applied (".." at the root stays at the root).</summary>
    private bool TryResolveTarget(string linkPath, string target, out string resolved)
    {
        resolved = "";
        var parts = new List<string>();
        if (!target.StartsWith('/'))
            parts.AddRange(FsPath.Parent(linkPath).Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (string part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return TryResolve(string.Join('\\', parts), out resolved, out _);
    }

    /// <summary>The FileInfo of an engine object; for a symlink, with the directory attribute decided here.</summary>
    private FspFileInfo ToFileInfo(string? path, in FileInformation info) =>
        info.Type == NodeType.Symlink
            ? FileInfoMapping.ToFileInfo(info, path is not null && IsDirectorySymlink(path))
            : FileInfoMapping.ToFileInfo(info);

    private FspFileInfo ToFileInfo(OpenFile file, in FileInformation info) =>
        info.Type == NodeType.Symlink ? ToFileInfo(_volume.CurrentPath(file.Handle), info) : FileInfoMapping.ToFileInfo(info);

    /// <summary>
    /// FspFileSystemFindReparsePoint in managed terms: the character index in <paramref name="fileName"/> of the first
    /// intermediate component that is a symlink, which GetSecurityByName reports with STATUS_REPARSE.
    /// </summary>
    private bool TryFindReparsePoint(string fileName, out uint index)
    {
        index = 0;
        int start = 0;
        while (true)
        {
            while (start < fileName.Length && fileName[start] == '\\')
                start++;
            int end = fileName.IndexOf('\\', start);
            if (end < 0)
                return false; // the last component is reported by its attributes, not here
            if (!TryResolve(fileName[..end], out string path, out _) || _volume.GetInfo(path, out var info) != FsStatus.Success)
                return false;
            if (info.Type == NodeType.Symlink)
            {
                index = (uint)start;
                return true;
            }
            start = end + 1;
        }
    }

    private bool IsSymlink(string path) => _volume.GetInfo(path, out var info) == FsStatus.Success && info.Type == NodeType.Symlink;

    /// <summary>
    /// CreateEx with reparse data in the extra buffer: the symlink is created whole, then opened. The descriptor
    /// WinFsp built is stored with it; if that fails the symlink is removed again (as Create does for files).
    /// </summary>
    private int CreateSymlink(
        string path, bool directory, uint fileAttributes, ReadOnlySpan<byte> securityDescriptor, ReadOnlySpan<byte> reparseData,
        out object? fileContext, out FspFileInfo fileInfo, out string? normalizedName)
    {
        fileContext = null;
        fileInfo = default;
        normalizedName = null;
        int parsed = ReparseDataBuffer.TryParseSymlink(reparseData, out var data);
        if (parsed != NtStatus.Success)
            return parsed;
        int converted = SymlinkTargets.ToEngine(data, targetOnFileSystem: 0, directory, out string target);
        if (converted != NtStatus.Success)
            return converted;
        var status = _volume.CreateSymlink(path, target, -1, -1, out _);
        if (status != FsStatus.Success)
            return Status(status);
        status = _volume.Create(path, new CreateRequest { Disposition = EngineDisposition.Open, Access = EngineAccess }, out var handle, out var info, out _);
        if (status != FsStatus.Success)
            return Status(status);
        var attributes = (NtAttributes)fileAttributes & NtAttributes.Settable;
        if (!securityDescriptor.IsEmpty)
            status = _volume.SetSecurity(handle!, securityDescriptor);
        if (status == FsStatus.Success)
            status = _volume.SetBasicInfo(handle!, new BasicInfoChange(Attributes: attributes), out info);
        if (status != FsStatus.Success)
        {
            _volume.Release(handle!);
            _volume.Unlink(path);
            return Status(status);
        }
        fileContext = new OpenFile(handle!, info.InodeNumber);
        fileInfo = ToFileInfo(path, info);
        normalizedName = ToWinFspName(_volume.CurrentPath(handle!) ?? path);
        return NtStatus.Success;
    }
}
