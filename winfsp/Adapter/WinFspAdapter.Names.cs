using Layered.Fsd;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Adapter;

// Delete disposition, rename, directory listing and lookup by name.
public sealed partial class WinFspAdapter
{
    /// <summary>Sets or clears the engine's delete disposition; setting it validates (read-only, non-empty).
    /// Nothing is deleted here: that happens at the last cleanup.</summary>
    public override int SetDelete(object fileContext, string fileName, bool deleteFile) =>
        Status(_volume.SetDeleteDisposition(Context(fileContext).Handle, deleteFile));

    /// <summary>
    /// Renames the file the handle is open on (by its current name, so a stale or upper-cased FileName cannot
    /// redirect it). A directory is never replaced (STATUS_ACCESS_DENIED). WinFsp's FSD has already refused to
    /// replace a target with open user handles unless this is a POSIX rename (winfsp.md §2.11); what reaches the
    /// engine replaces any target, and a target still open (POSIX rename, or a cleaned-up file the cache manager
    /// still holds) stays readable through its handles as an orphan until its last close.
    /// A rename that changes only the case of the name is one engine rename (the engine respells the stored name).
    /// </summary>
    public override int Rename(object fileContext, string fileName, string newFileName, bool replaceIfExists)
    {
        var file = Context(fileContext);
        string? from = _volume.CurrentPath(file.Handle);
        if (from is null)
            return NtStatus.DeletePending;
        if (!TryResolve(newFileName, out string to, out int refused))
            return refused;
        var flags = RenameFlags.NeverReplaceDirectory | (replaceIfExists ? RenameFlags.Replace : RenameFlags.None);
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            string requested = FsPath.Normalize(newFileName);
            if (string.Equals(FsPath.Name(requested), FsPath.Name(from), StringComparison.Ordinal))
                return NtStatus.Success; // the same name: nothing to do
            return Status(_volume.Rename(from, FsPath.Combine(FsPath.Parent(from), FsPath.Name(requested)), flags));
        }
        return Status(_volume.Rename(from, to, flags));
    }

    /// <summary>
    /// Lists in the engine's stable (ordinal) order after <paramref name="marker"/>; non-root directories start
    /// with "." and "..". Stops without the end marker when the buffer is full: WinFsp calls again with the last
    /// name added as the marker.
    /// </summary>
    public override int ReadDirectory(object fileContext, string? pattern, string? marker, DirectoryBufferWriter entries)
    {
        var directory = Context(fileContext);
        string? path = _volume.CurrentPath(directory.Handle);
        if (path is null)
            return NtStatus.DeletePending;
        string? after = marker;
        if (path.Length > 0 && (marker is null or "." or ".."))
        {
            if (marker is null)
            {
                if (!TryAddSelfOrParent(ref entries, ".", path))
                    return NtStatus.Success;
            }
            if (marker is null or ".")
            {
                if (!TryAddSelfOrParent(ref entries, "..", FsPath.Parent(path)))
                    return NtStatus.Success;
            }
            after = null;
        }
        var batch = new List<DirectoryEntry>(ListingBatch);
        while (true)
        {
            batch.Clear();
            var status = _volume.ReadDirectory(path, after, ListingBatch, withSizes: true, batch);
            if (status != FsStatus.Success)
                return Status(status);
            foreach (var entry in batch)
            {
                var info = entry.Info.Type == NodeType.Symlink
                    ? ToFileInfo(FsPath.Combine(path, entry.Name), entry.Info)
                    : FileInfoMapping.ToFileInfo(entry.Info);
                if (!entries.TryAdd(entry.Name, info))
                    return NtStatus.Success;
                after = entry.Name;
            }
            if (batch.Count < ListingBatch)
            {
                entries.TryAddEndMarker();
                return NtStatus.Success;
            }
        }
    }

    private bool TryAddSelfOrParent(ref DirectoryBufferWriter entries, string name, string path)
    {
        var status = _volume.GetInfo(path, out var info);
        return status == FsStatus.Success ? entries.TryAdd(name, ToFileInfo(path, info)) : true;
    }

    /// <summary>One name in a directory, with its stored case as <paramref name="realName"/>.</summary>
    public override int GetDirInfoByName(object directoryContext, string fileName, out string? realName, out FspFileInfo fileInfo)
    {
        realName = null;
        fileInfo = default;
        var directory = Context(directoryContext);
        string? path = _volume.CurrentPath(directory.Handle);
        if (path is null)
            return NtStatus.DeletePending;
        if (!TryResolve(ToWinFspName(path) + "\\" + fileName, out string child, out int refused))
            return refused;
        var status = _volume.GetInfo(child, out var info);
        if (status != FsStatus.Success)
            return Status(status);
        realName = FsPath.Name(child);
        fileInfo = ToFileInfo(child, info);
        return NtStatus.Success;
    }
}
