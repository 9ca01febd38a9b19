using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd.Nodes;
using Layered.Journal;

namespace Layered.Fsd;

// Create, open, cleanup and close, with every NT disposition; POSIX open/creat map onto them.
public sealed partial class Volume
{
    public FsStatus Create(string path, CreateRequest request, out FileHandle? handle, out FileInformation info, out CreateOutcome outcome)
    {
        handle = null;
        info = default;
        outcome = CreateOutcome.Opened;
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            bool mayCreate = request.Disposition is not (CreateDisposition.Open or CreateDisposition.Overwrite);
            bool mutates = request.Disposition is not (CreateDisposition.Open or CreateDisposition.OpenIf) ||
                           (request.Access & FileAccess2.Write) != 0 || request.DeleteOnClose;
            if (mutates || mayCreate)
            {
                if (ReadOnly && (mutates || mayCreate))
                {
                    // Opening an existing file read-only still works on a read-only volume.
                    if (request.Disposition is CreateDisposition.OpenIf && !mutates && ExistsUnlocked(p))
                        mayCreate = false;
                    else
                        return FsStatus.ReadOnlyVolume;
                }
            }
            var parent = FsPath.Parent(p);
            using var scope = mayCreate ? Locks.Change(parent) : Locks.Lookup(parent);
            var storePath = StorePath(p);
            CheckParent(p);
            var entry = Store.TryGetEntry(storePath);
            FileNode node;
            if (entry is null)
            {
                if (!mayCreate)
                    return FsStatus.NotFound;
                entry = CreateObject(p, storePath, request, out var created);
                node = AcquireNode(storePath, entry, created);
                outcome = CreateOutcome.Created;
            }
            else
            {
                if (request.Disposition == CreateDisposition.Create)
                    return FsStatus.AlreadyExists;
                bool isDir = entry.Kind == BackingEntryKind.Directory;
                if (isDir && request.NonDirectory)
                    return FsStatus.IsADirectory;
                if (!isDir && request.Directory)
                    return FsStatus.NotADirectory;
                node = AcquireNode(storePath, entry);
                var status = CheckOpenable(node, request);
                if (status == FsStatus.Success && request.Disposition is CreateDisposition.Overwrite or CreateDisposition.OverwriteIf or CreateDisposition.Supersede)
                {
                    status = Overwrite(node, p, request);
                    outcome = request.Disposition == CreateDisposition.Supersede ? CreateOutcome.Superseded : CreateOutcome.Overwritten;
                }
                if (status != FsStatus.Success)
                {
                    ReleaseAcquired(node);
                    return status;
                }
                entry = Store.TryGetEntry(storePath) ?? entry;
            }
            handle = new FileHandle(node, request.Access, request.DeleteOnClose) { OpenedPath = p };
            info = InfoOf(node, entry);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    private bool ExistsUnlocked(string p) => Store.TryGetEntry(StorePath(p)) is not null;

    /// <summary>Fails with PathNotFound / NotADirectory when the parent of <paramref name="p"/> is not a directory.</summary>
    internal void CheckParent(string p)
    {
        if (p.Length == 0)
            return;
        var parent = FsPath.Parent(p);
        if (parent.Length == 0)
            return;
        var e = Store.TryGetEntry(StorePath(parent));
        if (e is null)
            throw new FsException(FsStatus.PathNotFound, p, "A parent directory does not exist");
        if (e.Kind != BackingEntryKind.Directory)
            throw new FsException(FsStatus.NotADirectory, p, "A parent is not a directory");
        var parentNode = Nodes.Find(e.Inode);
        if (parentNode is not null && parentNode.DeletePending)
            throw new FsException(FsStatus.DeletePending, p, "The parent directory is being deleted");
    }

    private FsStatus CheckOpenable(FileNode node, CreateRequest request)
    {
        lock (node.Sync)
        {
            if (node.DeletePending)
                return FsStatus.DeletePending;
        }
        if (request.DeleteOnClose && node.Type == NodeType.File && IsReadOnlyAttribute(node))
            return FsStatus.CannotDelete;
        return FsStatus.Success;
    }

    private bool IsReadOnlyAttribute(FileNode node) =>
        _options.NtMetadata && (InfoOf(node).Attributes & NtAttributes.ReadOnly) != 0;

    /// <summary>
    /// Creates a file (with its header) or a directory. Caller holds the parent's exclusive lock. A new file's
    /// backing file stays open and comes back with its header in <paramref name="created"/>, so its node is made
    /// without opening the file again and reading back the header just written.
    /// </summary>
    private BackingEntry CreateObject(string p, string storePath, CreateRequest request, out NewFile? created)
    {
        created = null;
        var now = UtcNow();
        if (request.Directory)
        {
            Append(new CreateRecord(0, p, NodeKind.Directory, (uint)request.Mode, request.Uid, request.Gid, (uint)request.Attributes, now.Ticks, []));
            Store.CreateDirectory(storePath, request.Mode & UnixMode.PermissionMask);
        }
        else
        {
            var header = FileHeader.NewEmpty();
            // The sealed header travels in the create record: recovery rewrites it if the file's own copy never
            // reached the disk, so a new file's first data needs no fsync of its header (see VolumeRecovery).
            var sealedHeader = new byte[FileHeader.Size];
            Vault.Headers.Encode(header, sealedHeader);
            Append(new CreateRecord(header.FileId.ToUInt128(), p, NodeKind.File, (uint)request.Mode, request.Uid, request.Gid, (uint)request.Attributes, now.Ticks, sealedHeader));
            var file = Store.OpenFile(storePath, BackingOpenMode.CreateNew);
            try
            {
                file.Write(0, sealedHeader);
                if ((request.Mode & UnixMode.PermissionMask) != UnixMode.DefaultFile)
                    Store.SetMode(storePath, request.Mode & UnixMode.PermissionMask);
            }
            catch
            {
                file.Dispose();
                throw;
            }
            created = new NewFile(file, header);
        }
        try
        {
            var entry = Created();
            // A new object already belongs to the mount's own user and group (or the directory's group); only a
            // request for another owner costs a chown.
            bool chown = request.Uid >= 0 && request.Uid != entry.Uid || request.Gid >= 0 && request.Gid != entry.Gid;
            if (chown)
                Store.SetOwner(storePath, request.Uid, request.Gid);
            if (_options.NtMetadata)
                StoreNtMetadata(storePath, request.Attributes | (request.Directory ? NtAttributes.None : NtAttributes.Archive), now);
            return chown || _options.NtMetadata ? Created() : entry;
        }
        catch
        {
            created?.File.Dispose();
            throw;
        }

        BackingEntry Created() => Store.TryGetEntry(storePath) ?? throw new FsException(FsStatus.IoError, p, "Created object vanished");
    }

    /// <summary>FILE_OVERWRITE(_IF) and FILE_SUPERSEDE on an existing file: data gone, attributes merged (overwrite)
    /// or replaced (supersede), as NTFS does; POSIX O_TRUNC is Overwrite.</summary>
    private FsStatus Overwrite(FileNode node, string p, CreateRequest request)
    {
        if (node.Type == NodeType.Directory)
            return FsStatus.IsADirectory;
        if (ReadOnly)
            return FsStatus.ReadOnlyVolume;
        Truncate(node, 0);
        if (_options.NtMetadata)
        {
            var info = InfoOf(node);
            var attrs = request.Disposition == CreateDisposition.Supersede
                ? request.Attributes | NtAttributes.Archive
                : (info.Attributes & NtAttributes.Settable) | request.Attributes | NtAttributes.Archive;
            SetNtAttributes(node, p, attrs, null);
        }
        lock (node.Sync) node.AllocationHint = request.AllocationSize;
        return FsStatus.Success;
    }

    private void ReleaseAcquired(FileNode node)
    {
        lock (node.Sync)
        {
            node.OpenCount--;
            node.HandleCount--;
        }
        if (node.HandleCount == 0)
            ReleaseIfUnused(node);
    }

    /// <summary>
    /// NT Cleanup of one handle (the last user handle of this open is gone): the delete disposition is acted on at
    /// the last cleanup of the file, under the namespace lock of its directory. The times flags record now.
    /// </summary>
    public FsStatus Cleanup(FileHandle handle, CleanupFlags flags = CleanupFlags.None)
    {
        if (handle.CleanedUp)
            return FsStatus.Success;
        var node = handle.Node;
        try
        {
            if (TryCleanupWithoutNamespaceLock(handle, flags))
                return FsStatus.Success;
            while (true)
            {
                var path = node.Path;
                string parent = path is null ? "" : FsPath.Parent(path);
                using var scope = Locks.Change(parent);
                if (node.Path != path)
                    continue; // renamed meanwhile: lock its new directory
                bool deleteNow;
                bool disposition = !Switches.DisableDispositionLock;
                if (disposition) Monitor.Enter(node.Sync);
                try
                {
                    handle.CleanedUp = true;
                    node.OpenCount--;
                    if (handle.DeleteOnClose || (flags & CleanupFlags.Delete) != 0)
                        node.DeletePending = true;
                    deleteNow = node.OpenCount == 0 && node.DeletePending && !node.Deleted;
                }
                finally
                {
                    if (disposition) Monitor.Exit(node.Sync);
                }
                if (deleteNow && path is not null && !node.IsOrphan)
                {
                    var status = DeleteAtLastCleanup(node, path);
                    if (status != FsStatus.Success)
                        return status;
                }
                else if (!ReadOnly && path is not null && node.Type == NodeType.File &&
                         (flags & (CleanupFlags.SetLastWriteTime | CleanupFlags.SetChangeTime)) != 0)
                {
                    lock (node.Sync) node.LastWriteUtc = UtcNow();
                }
                return FsStatus.Success;
            }
        }
        catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
        {
            return status;
        }
    }

    /// <summary>
    /// The cleanup of a handle that deletes nothing: neither it nor the node asks for a delete. Only the last
    /// cleanup of a delete-pending node acts on the namespace, and it needs the directory's exclusive lock for that;
    /// a cleanup that cannot be it decides under the node lock alone. It cannot become it later either: the
    /// disposition is set (under the same node lock) only through a handle that is open, so a node it is set on
    /// after this decision still counts that handle, and the decrement here leaves the deletion to its cleanup.
    /// Every close took the directory's lock before, so the close of each new file waited for the next file's
    /// LOOKUP and CREATE in the same directory, and they for it (a small-file loop's RELEASE runs beside them).
    /// </summary>
    private bool TryCleanupWithoutNamespaceLock(FileHandle handle, CleanupFlags flags)
    {
        if (handle.DeleteOnClose || (flags & CleanupFlags.Delete) != 0 || Switches.DisableDispositionLock || Switches.DisableNamespaceLocks)
            return false;
        var node = handle.Node;
        lock (node.Sync)
        {
            if (node.DeletePending)
                return false;
            handle.CleanedUp = true;
            node.OpenCount--;
            if (!ReadOnly && node.Path is not null && node.Type == NodeType.File &&
                (flags & (CleanupFlags.SetLastWriteTime | CleanupFlags.SetChangeTime)) != 0)
                node.LastWriteUtc = UtcNow();
        }
        return true;
    }

    private FsStatus DeleteAtLastCleanup(FileNode node, string path)
    {
        var entry = Store.TryGetEntry(path);
        if (entry is null || entry.Inode != node.Inode)
            return FsStatus.Success;
        if (node.Type == NodeType.Directory && Store.ListDirectory(path).Count > 0)
        {
            lock (node.Sync) node.DeletePending = false;
            return FsStatus.DirectoryNotEmpty;
        }
        RemoveName(path, node, entry);
        return FsStatus.Success;
    }

    /// <summary>Close of one handle; the last close frees the node (or keeps it until the next checkpoint when
    /// it holds state not yet durable), and frees the orphan of a file unlinked while open.</summary>
    public void Close(FileHandle handle)
    {
        if (handle.Closed)
            return;
        if (!handle.CleanedUp)
            Cleanup(handle);
        handle.Closed = true;
        var node = handle.Node;
        bool freeOrphan = false, retain = false, release = false;
        lock (Nodes.Sync)
        {
            lock (node.Sync)
            {
                if (--node.HandleCount > 0)
                    return;
                if (node.IsOrphan)
                    freeOrphan = true;
                else if (node.Deleted)
                    release = true;
                else if (node.IsDirty)
                    retain = true;
                else
                    release = true;
            }
            if (freeOrphan || release)
                Nodes.Remove(node);
        }
        if (freeOrphan)
            FreeOrphan(node);
        if (freeOrphan || release)
            DisposeNodeResources(node);
        if (retain)
            NoteRetainedDirty();
    }

    /// <summary>POSIX release: cleanup and close in one.</summary>
    public void Release(FileHandle handle)
    {
        Cleanup(handle);
        Close(handle);
    }

    private void FreeOrphan(FileNode node)
    {
        var orphan = node.Path!;
        try
        {
            // The orphan may be only one of several names (a hard link was unlinked while the file was open):
            // then the file lives on, and its state must reach its header before the node goes.
            if (node.Type == NodeType.File && Store.TryGetEntry(orphan) is { LinkCount: > 1 })
                SyncNode(node, forCheckpoint: false);
            Append(new OrphanFreedRecord(node.FileId.ToUInt128(), orphan));
            Store.DeleteFile(orphan);
            node.Deleted = true;
            node.Path = null;
        }
        catch (BackingStoreException e)
        {
            // Left for recovery, which frees every orphan at the next mount.
            Microsoft.Extensions.Logging.LoggerExtensions.LogError(Log, e, "Could not free orphan '{Orphan}'", orphan);
        }
    }

    /// <summary>NT SetDispositionInformation: set or clear the delete disposition. Takes effect at the last cleanup.</summary>
    public FsStatus SetDeleteDisposition(FileHandle handle, bool delete)
    {
        var node = handle.Node;
        // Only an open handle (not cleaned up) may set or clear the disposition: the last cleanup acts on it, and a
        // cleanup that deletes nothing decides without the directory's lock on the ground that a disposition set
        // later is set through a handle still counted (TryCleanupWithoutNamespaceLock). A disposition set through a
        // cleaned-up handle after the last cleanup would be acted on by no one and leave the file delete-pending.
        if (handle.Closed || handle.CleanedUp)
            return FsStatus.InvalidHandle;
        try
        {
            if (delete)
            {
                if (ReadOnly)
                    return FsStatus.ReadOnlyVolume;
                var status = CanDelete(handle);
                if (status != FsStatus.Success)
                    return status;
            }
            if (Switches.DisableDispositionLock)
            {
                node.DeletePending = delete;
                return FsStatus.Success;
            }
            lock (node.Sync)
            {
                if (handle.CleanedUp)
                    return FsStatus.InvalidHandle; // cleaned up since the check above
                node.DeletePending = delete;
            }
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
        {
            return status;
        }
    }

    /// <summary>NT CanDelete: read-only files and non-empty directories cannot be deleted.</summary>
    public FsStatus CanDelete(FileHandle handle)
    {
        var node = handle.Node;
        if (node.Path is null || node.IsOrphan)
            return FsStatus.DeletePending;
        if (node.Path.Length == 0)
            return FsStatus.AccessDenied;
        if (node.Type == NodeType.Directory)
            return Store.ListDirectory(node.Path).Count > 0 ? FsStatus.DirectoryNotEmpty : FsStatus.Success;
        return IsReadOnlyAttribute(node) ? FsStatus.CannotDelete : FsStatus.Success;
    }

    /// <summary>Whether the delete disposition is set (for tests and hosts that report it).</summary>
    public bool IsDeletePending(FileHandle handle)
    {
        lock (handle.Node.Sync) return handle.Node.DeletePending;
    }
}
