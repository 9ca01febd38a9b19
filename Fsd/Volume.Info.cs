using Layered.Backing;
using Layered.Fsd.Nodes;
using Layered.Journal;

namespace Layered.Fsd;

// Information and attributes: stat by path or handle, and every change of attributes, mode, owner and times.
// Each change is journaled (SetAttributesRecord) before it reaches the backing store.
public sealed partial class Volume
{
    public FsStatus GetInfo(FileHandle handle, out FileInformation info)
    {
        info = default;
        if (handle.Closed)
            return FsStatus.InvalidHandle;
        try
        {
            info = InfoOf(handle.Node);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, handle.Node.Path ?? "", out var status))
        {
            return status;
        }
    }

    /// <summary>lstat: symlinks are reported, not followed.</summary>
    public FsStatus GetInfo(string path, out FileInformation info) => GetInfo(path, out info, parentKnown: false);

    /// <summary>
    /// GetInfo for a host that resolves paths one component at a time (FUSE: the kernel looked every parent up
    /// before it asks for a name): a missing name is <see cref="FsStatus.NotFound"/> without a look at its parent,
    /// which only tells NotFound from PathNotFound and NotADirectory (one errno, ENOENT, there; and the kernel
    /// answers ENOTDIR itself). Saves a stat of the parent on every lookup of a name about to be created.
    /// </summary>
    public FsStatus LookUp(string path, out FileInformation info) => GetInfo(path, out info, parentKnown: true);

    private FsStatus GetInfo(string path, out FileInformation info, bool parentKnown)
    {
        info = default;
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            using var scope = Locks.Lookup(FsPath.Parent(p));
            var sp = StorePath(p);
            var entry = Store.TryGetEntry(sp);
            if (entry is null)
            {
                if (!parentKnown)
                    CheckParent(p);
                return FsStatus.NotFound;
            }
            info = InfoOf(sp, entry);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>chmod.</summary>
    public FsStatus SetMode(string path, UnixMode mode) =>
        ChangeAttributes(path, AttributeFields.Mode, mode, -1, -1, null, null);

    /// <summary>chown; -1 leaves an id unchanged.</summary>
    public FsStatus SetOwner(string path, int uid, int gid) =>
        ChangeAttributes(path, AttributeFields.Owner, 0, uid, gid, null, null);

    /// <summary>utimens; null leaves a time unchanged.</summary>
    public FsStatus SetTimes(string path, DateTime? lastAccessUtc, DateTime? lastWriteUtc) =>
        ChangeAttributes(path, (lastAccessUtc is null ? 0 : AttributeFields.LastAccessTime) | (lastWriteUtc is null ? 0 : AttributeFields.LastWriteTime),
            0, -1, -1, lastAccessUtc, lastWriteUtc);

    /// <summary>
    /// Clears the set-user-ID bit of a regular file and, when <paramref name="dropSetGid"/> says so for the file's
    /// mode and group, its set-group-ID bit: what POSIX does to a file written or truncated by a caller without
    /// CAP_FSETID, or given a new owner. Hosts call it where their kernel leaves that to the file system (FUSE with
    /// killpriv). One journaled mode change under the lock chmod takes, so a concurrent chmod is never undone;
    /// nothing is written when no bit is set. Directories and symlinks keep their bits.
    /// </summary>
    /// <param name="dropSetGid">Given the mode and the owning group id; asked only when set-group-ID is set.</param>
    public FsStatus ClearSetIdBits(string path, Func<UnixMode, int, bool> dropSetGid) =>
        ChangeEntry(path, (sp, entry) =>
        {
            if (entry.Kind != BackingEntryKind.File || (entry.Mode & (UnixMode.SetUid | UnixMode.SetGid)) == 0)
                return;
            var mode = entry.Mode & ~UnixMode.SetUid;
            if ((entry.Mode & UnixMode.SetGid) != 0 && dropSetGid(entry.Mode, entry.Gid))
                mode &= ~UnixMode.SetGid;
            if (mode != entry.Mode)
                ApplyAttributes(sp, Nodes.Find(entry.Inode), AttributeFields.Mode, mode, -1, -1, null, null);
        });

    private FsStatus ChangeAttributes(string path, AttributeFields fields, UnixMode mode, int uid, int gid, DateTime? atime, DateTime? mtime) =>
        ChangeEntry(path, (sp, entry) =>
        {
            var node = Nodes.Find(entry.Inode);
            DropUnchangedTimes(ref fields, ref atime, ref mtime, node, entry);
            ApplyAttributes(sp, node, fields, mode, uid, gid, atime, mtime);
        });

    /// <summary>Runs a change of the name's attributes with its store path and current entry, under the parent's
    /// exclusive change lock: two changes of one file must reach the store in their journal order.</summary>
    private FsStatus ChangeEntry(string path, Action<string, BackingEntry> change)
    {
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            CheckWritable(p);
            using var scope = Locks.Change(FsPath.Parent(p));
            var sp = StorePath(p);
            var entry = Store.TryGetEntry(sp);
            if (entry is null)
                return FsStatus.NotFound;
            change(sp, entry);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>A time set to the value the file already shows is no change: it is neither journaled nor stored.</summary>
    /// <remarks>Under FUSE writeback caching the kernel sends the times it holds after every rename, link and extended
    /// attribute change of a file (only its ctime moved), one request each, and Windows programs set the times they
    /// just read when they copy attributes; each would otherwise cost a journal record and a utimensat of the backing
    /// file.</remarks>
    private static void DropUnchangedTimes(ref AttributeFields fields, ref DateTime? atime, ref DateTime? mtime, FileNode? node, BackingEntry entry)
    {
        if (mtime is not null && mtime == CurrentLastWrite(node, entry))
        {
            mtime = null;
            fields &= ~AttributeFields.LastWriteTime;
        }
        if (atime is not null && atime == entry.LastAccessUtc)
        {
            atime = null;
            fields &= ~AttributeFields.LastAccessTime;
        }
    }

    /// <summary>The write time a file shows (InfoOf's rule): the open node's pending one, else the store's.</summary>
    private static DateTime CurrentLastWrite(FileNode? node, BackingEntry entry)
    {
        if (node is null)
            return entry.LastWriteUtc;
        lock (node.Sync)
            return node.LastWriteUtc ?? entry.LastWriteUtc;
    }

    private void ApplyAttributes(string storePath, FileNode? node, AttributeFields fields, UnixMode mode, int uid, int gid, DateTime? atime, DateTime? mtime)
    {
        if (fields == 0)
            return;
        Append(new SetAttributesRecord(node?.FileId.ToUInt128() ?? 0, storePath, fields, (uint)mode, uid, gid, 0, 0,
            atime?.Ticks ?? 0, mtime?.Ticks ?? 0, 0));
        if ((fields & AttributeFields.Mode) != 0)
            Store.SetMode(storePath, mode & UnixMode.PermissionMask);
        if ((fields & AttributeFields.Owner) != 0)
            Store.SetOwner(storePath, uid, gid);
        if ((fields & (AttributeFields.LastAccessTime | AttributeFields.LastWriteTime)) != 0)
        {
            Store.SetTimes(storePath, atime, mtime);
            if (node is not null && mtime is not null)
                lock (node.Sync) node.LastWriteUtc = mtime;
        }
    }

    /// <summary>
    /// NT SetBasicInfo on an open handle. Null fields are left alone (the host turns INVALID_FILE_ATTRIBUTES and
    /// zero times into null before calling).
    /// </summary>
    public FsStatus SetBasicInfo(FileHandle handle, BasicInfoChange change, out FileInformation info)
    {
        info = default;
        var node = handle.Node;
        if (handle.Closed)
            return FsStatus.InvalidHandle;
        try
        {
            CheckWritable(node.Path ?? "");
            var path = node.Path;
            if (path is not null)
            {
                using var scope = Locks.Change(FsPath.Parent(path));
                if (change.Attributes is not null || change.CreationUtc is not null)
                    SetNtAttributes(node, path, change.Attributes, change.CreationUtc);
                var fields = (change.LastAccessUtc is null ? 0 : AttributeFields.LastAccessTime) |
                             (change.LastWriteUtc is null ? 0 : AttributeFields.LastWriteTime);
                DateTime? atime = change.LastAccessUtc, mtime = change.LastWriteUtc;
                if (fields != 0 && node.Path == path && !DeferredWriteTime(node, path, atime, mtime))
                {
                    if (Store.TryGetEntry(path) is { } entry)
                        DropUnchangedTimes(ref fields, ref atime, ref mtime, node, entry);
                    ApplyAttributes(path, node, fields, 0, -1, -1, atime, mtime);
                }
            }
            info = InfoOf(node);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
        {
            return status;
        }
    }

    /// <summary>
    /// A new write time alone, for a file whose header is still to be written: journaled and kept on the node, not
    /// stored now. A dirty node stays in memory until a header write makes it clean (a checkpoint), and that write
    /// puts the node's write time back on the backing file anyway (<see cref="RestoreLastWriteTime"/>), so storing it
    /// here too cost a utimensat and a stat per close of every file written under FUSE writeback caching, whose close
    /// sends the kernel's times. Until then every stat answers from the node. The change counter moves, so a header
    /// write that captured the node before this change leaves it dirty and the next one stores this time. Caller
    /// holds the parent's change lock. False when it does not apply.
    /// </summary>
    private bool DeferredWriteTime(FileNode node, string path, DateTime? atime, DateTime? mtime)
    {
        if (atime is not null || mtime is not { } time)
            return false;
        lock (node.Sync)
        {
            if (!node.IsDirty || node.LastWriteUtc is null || node.Deleted || node.File is null)
                return false;
            if (node.LastWriteUtc == time)
                return true; // no change (DropUnchangedTimes' rule)
            Append(new SetAttributesRecord(node.FileId.ToUInt128(), path, AttributeFields.LastWriteTime, 0, -1, -1, 0, 0, 0, time.Ticks, 0));
            node.LastWriteUtc = time;
            node.ModCount++;
            return true;
        }
    }

    /// <summary>Records NT attributes and/or creation time of a node (journaled, then stored).</summary>
    internal void SetNtAttributes(FileNode node, string storePath, NtAttributes? attributes, DateTime? creation)
    {
        var current = InfoOf(node);
        var attrs = (attributes ?? current.Attributes) & NtAttributes.Settable;
        var created = creation ?? current.CreationUtc;
        var fields = (attributes is null ? 0 : AttributeFields.Attributes) | (creation is null ? 0 : AttributeFields.CreationTime);
        Append(new SetAttributesRecord(node.FileId.ToUInt128(), storePath, fields, 0, -1, -1, (uint)attrs, created.Ticks, 0, 0, 0));
        if (_options.NtMetadata)
            StoreNtMetadata(storePath, attrs, created);
        else if (attributes is not null)
        {
            // Without NT metadata, the read-only attribute is the owner's write bit (as Samba maps it).
            var entry = Store.TryGetEntry(storePath);
            if (entry is not null)
            {
                var mode = (attrs & NtAttributes.ReadOnly) != 0 ? entry.Mode & ~(UnixMode.UserWrite | UnixMode.GroupWrite | UnixMode.OtherWrite) : entry.Mode | UnixMode.UserWrite;
                if (mode != entry.Mode)
                    Store.SetMode(storePath, mode & UnixMode.PermissionMask);
            }
        }
        lock (node.Sync)
        {
            node.NtAttributes = attrs;
            node.CreationUtc = created;
            node.NtLoaded = true;
        }
    }
}
