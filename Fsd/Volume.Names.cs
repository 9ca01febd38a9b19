using System.Text;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd.Nodes;
using Layered.Journal;

namespace Layered.Fsd;

// Namespace operations. Each is one atomic step on the backing store (rename(2), link(2), unlink(2), mkdir(2)),
// taken under the namespace locks after its journal record: no crash can leave one half done. Removing the
// last name of a file that is still open first links it into the orphan area, so its data stays reachable by
// a name until the last close (and recovery frees the orphan if a crash comes first).
public sealed partial class Volume
{
    public FsStatus CreateDirectory(string path, UnixMode mode, int uid, int gid, out FileInformation info)
    {
        info = default;
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            CheckWritable(p);
            if (p.Length == 0)
                return FsStatus.AlreadyExists;
            using var scope = Locks.Change(FsPath.Parent(p));
            CheckParent(p);
            var sp = StorePath(p);
            if (Store.TryGetEntry(sp) is not null)
                return FsStatus.AlreadyExists;
            var entry = CreateObject(p, sp, new CreateRequest { Directory = true, Mode = mode, Uid = uid, Gid = gid, Disposition = CreateDisposition.Create }, out _);
            info = InfoOf(sp, entry);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>POSIX unlink: the name goes at once; an open file stays readable through its handles.</summary>
    public FsStatus Unlink(string path) => RemoveByPath(path, directory: false);

    /// <summary>POSIX rmdir.</summary>
    public FsStatus RemoveDirectory(string path) => RemoveByPath(path, directory: true);

    private FsStatus RemoveByPath(string path, bool directory)
    {
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            CheckWritable(p);
            if (p.Length == 0)
                return directory ? FsStatus.AccessDenied : FsStatus.IsADirectory;
            using var scope = Locks.Change(FsPath.Parent(p));
            CheckParent(p);
            var sp = StorePath(p);
            var entry = Store.TryGetEntry(sp);
            if (entry is null)
                return FsStatus.NotFound;
            bool isDirectory = entry.Kind == BackingEntryKind.Directory;
            if (isDirectory != directory)
                return directory ? FsStatus.NotADirectory : FsStatus.IsADirectory;
            if (directory && Store.ListDirectory(sp).Count > 0)
                return FsStatus.DirectoryNotEmpty;
            RemoveName(sp, Nodes.Find(entry.Inode), entry);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>Removes one name. Caller holds the exclusive lock of the name's directory.</summary>
    internal void RemoveName(string storePath, FileNode? node, BackingEntry entry)
    {
        HeaderCache.Invalidate(entry.Inode);
        UInt128 id = node is null ? 0 : node.FileId.ToUInt128();
        if (entry.Kind == BackingEntryKind.Directory)
        {
            Append(new RemoveRecord(id, storePath, NodeKind.Directory));
            Store.DeleteDirectory(storePath);
            if (node is not null)
                MarkDeleted(node);
            return;
        }
        if (node is not null && entry.LinkCount <= 1 && LinkToOrphanIfOpen(node, storePath, id))
        {
            Store.DeleteFile(storePath);
            return;
        }
        Append(new RemoveRecord(id, storePath, KindOf(node?.Type ?? NodeType.File)));
        Store.DeleteFile(storePath);
        if (node is not null && node.Path == storePath)
        {
            if (entry.LinkCount <= 1)
                MarkDeleted(node);
            else
                node.Path = null; // still reachable by another name we do not know; data stays on the open file
        }
    }

    /// <summary>
    /// Before the last name of a file goes (unlink, NT delete, a rename replacing it): if the file is open, give it a
    /// name in the orphan area (journaled), so its data stays reachable until its last close frees the orphan, or
    /// recovery does after a crash. Only for the last name: a file with another name keeps its node and is written
    /// at the next checkpoint. Decided under the node table's monitor, which the last Close takes too, so a close
    /// cannot slip in between and leave an orphan nobody frees. Returns whether the file became an orphan; the
    /// caller then removes or replaces <paramref name="storePath"/>.
    /// </summary>
    private bool LinkToOrphanIfOpen(FileNode node, string storePath, UInt128 id)
    {
        lock (Nodes.Sync)
        {
            bool open;
            lock (node.Sync) open = node.HandleCount > 0;
            if (!open || node.Path != storePath)
                return false;
            var orphan = NewOrphanPath(node.Inode);
            Append(new OrphanRecord(id, storePath, orphan));
            Store.CreateHardLink(storePath, orphan);
            node.Path = orphan;
            node.IsOrphan = true;
            return true;
        }
    }

    private void MarkDeleted(FileNode node)
    {
        bool release;
        lock (node.Sync)
        {
            node.Deleted = true;
            node.Path = null;
            release = node.HandleCount == 0;
        }
        if (release)
        {
            Nodes.Remove(node);
            DisposeNodeResources(node);
        }
    }

    /// <summary>
    /// Rename with the semantics chosen by <paramref name="flags"/>: POSIX rename(2) is <see cref="RenameFlags.Replace"/>
    /// (an empty directory may be replaced by a directory); NT adds <see cref="RenameFlags.NeverReplaceDirectory"/>.
    /// </summary>
    public FsStatus Rename(string fromPath, string toPath, RenameFlags flags)
    {
        string from = "", to = "";
        try
        {
            from = FsPath.Normalize(fromPath);
            to = FsPath.Normalize(toPath);
            CheckWritable(from);
            if (from.Length == 0 || to.Length == 0)
                return FsStatus.AccessDenied;
            if ((flags & RenameFlags.Exchange) != 0)
                return FsStatus.NotSupported;
            if (from == to)
                return ExistsUnlocked(from) ? FsStatus.Success : FsStatus.NotFound;
            if (FsPath.IsSelfOrDescendant(to, from))
                return FsStatus.InvalidRename;
            // Most renames move files: take a file's locks, and a directory's once the source, looked up under the
            // locks, turns out to be one (the loop below).
            bool movesDirectory = false;
            while (true)
            {
                using var scope = Locks.Rename(FsPath.Parent(from), FsPath.Parent(to), movesDirectory);
                CheckParent(from);
                if (!FsPath.SameParent(from, to))
                    CheckParent(to);
                var sFrom = StorePath(from);
                var sTo = StorePath(to);
                var src = Store.TryGetEntry(sFrom);
                if (src is null)
                    return FsStatus.NotFound;
                bool srcIsDir = src.Kind == BackingEntryKind.Directory;
                if (srcIsDir != movesDirectory)
                {
                    movesDirectory = srcIsDir; // it changed before we held the locks: take the right ones
                    continue;
                }
                if (srcIsDir && FsPath.IsSelfOrDescendant(to, from))
                    return FsStatus.InvalidRename;
                var dst = Store.TryGetEntry(sTo);
                FileNode? dstNode = null;
                if (dst is not null && dst.Inode == src.Inode && sFrom == sTo && FsPath.Name(to) != FsPath.Name(sFrom))
                {
                    // Case-insensitive names: the target resolves to the source itself and only the case of the
                    // name changes. One backing rename to the caller's spelling, atomic like any other.
                    var respelled = FsPath.Combine(FsPath.Parent(sFrom), FsPath.Name(to));
                    Append(new RenameRecord(Nodes.Find(src.Inode)?.FileId.ToUInt128() ?? 0, sFrom, respelled, 0, RenameMode.NoReplace));
                    Store.Rename(sFrom, respelled, replace: false);
                    Nodes.RebasePaths(sFrom, respelled);
                    return FsStatus.Success;
                }
                if (dst is not null)
                {
                    if (dst.Inode == src.Inode)
                        return FsStatus.Success; // two names of one file: POSIX says do nothing
                    if ((flags & RenameFlags.Replace) == 0)
                        return FsStatus.AlreadyExists;
                    bool dstIsDir = dst.Kind == BackingEntryKind.Directory;
                    if (dstIsDir && (flags & RenameFlags.NeverReplaceDirectory) != 0)
                        return FsStatus.AccessDenied;
                    if (dstIsDir && !srcIsDir)
                        return FsStatus.IsADirectory;
                    if (!dstIsDir && srcIsDir)
                        return FsStatus.NotADirectory;
                    if (dstIsDir && Store.ListDirectory(sTo).Count > 0)
                        return FsStatus.DirectoryNotEmpty;
                    dstNode = Nodes.Find(dst.Inode);
                    if (dstNode is not null && dstNode.DeletePending && !dstIsDir)
                        return FsStatus.AccessDenied;
                }
                var srcNode = Nodes.Find(src.Inode);
                UInt128 srcId = srcNode?.FileId.ToUInt128() ?? 0, dstId = dstNode?.FileId.ToUInt128() ?? 0;
                // The replaced file may be open: its orphan name keeps its data reachable until its last close.
                if (dst is not null && dstNode is not null && dst.Kind == BackingEntryKind.File && dst.LinkCount <= 1 &&
                    LinkToOrphanIfOpen(dstNode, sTo, dstId))
                    dstNode = null;
                if (dst is not null)
                    HeaderCache.Invalidate(dst.Inode);
                Append(new RenameRecord(srcId, sFrom, sTo, dstId, dst is null ? RenameMode.NoReplace : RenameMode.Replace));
                Store.Rename(sFrom, sTo, replace: dst is not null);
                if (dstNode is not null && dstNode.Path == sTo)
                {
                    if (dst!.Kind == BackingEntryKind.Directory || dst.LinkCount <= 1)
                        MarkDeleted(dstNode);
                    else
                        dstNode.Path = null;
                }
                Nodes.RebasePaths(sFrom, sTo);
                return FsStatus.Success;
            }
        }
        catch (Exception e) when (TryMapException(e, from, out var status))
        {
            return status;
        }
    }

    /// <summary>link(2): a second name for a file.</summary>
    public FsStatus Link(string existingPath, string newPath, out FileInformation info)
    {
        info = default;
        string from = "", to = "";
        try
        {
            from = FsPath.Normalize(existingPath);
            to = FsPath.Normalize(newPath);
            CheckWritable(to);
            using var scope = Locks.Rename(FsPath.Parent(from), FsPath.Parent(to), movesDirectory: false);
            CheckParent(from);
            CheckParent(to);
            var sFrom = StorePath(from);
            var sTo = StorePath(to);
            var src = Store.TryGetEntry(sFrom);
            if (src is null)
                return FsStatus.NotFound;
            if (src.Kind == BackingEntryKind.Directory)
                return FsStatus.AccessDenied;
            if (Store.TryGetEntry(sTo) is not null)
                return FsStatus.AlreadyExists;
            var node = Nodes.Find(src.Inode);
            Append(new LinkRecord(node?.FileId.ToUInt128() ?? 0, sFrom, sTo));
            Store.CreateHardLink(sFrom, sTo);
            var entry = Store.TryGetEntry(sTo)!;
            info = InfoOf(sTo, entry);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, to, out var status))
        {
            return status;
        }
    }

    /// <summary>
    /// symlink(2). The target is stored encrypted as the content of a file flagged as a symlink; the file is
    /// built complete under a temporary name and renamed into place, so it appears whole or not at all.
    /// </summary>
    public FsStatus CreateSymlink(string path, string target, int uid, int gid, out FileInformation info)
    {
        info = default;
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            CheckWritable(p);
            if (target.Length == 0 || target.Contains('\0'))
                return FsStatus.InvalidParameter;
            var bytes = Encoding.UTF8.GetBytes(target);
            if (bytes.Length > 4096)
                return FsStatus.NameTooLong;
            using var scope = Locks.Change(FsPath.Parent(p));
            CheckParent(p);
            var sp = StorePath(p);
            if (Store.TryGetEntry(sp) is not null)
                return FsStatus.AlreadyExists;
            var header = new FileHeader(FileId.NewRandom(), bytes.Length, bytes.Length, 0, HeaderFlags.Symlink);
            var temp = NewTempPath();
            using (var cipher = Vault.OpenFileCipher(header.FileId))
            using (var file = Store.OpenFile(temp, BackingOpenMode.CreateNew))
            {
                var stored = new byte[Layout.StoredLengthFor(bytes.Length)];
                Vault.Headers.Encode(header, stored);
                cipher.EncryptChunks(0, bytes, stored.AsSpan(FileHeader.Size));
                file.Write(0, stored);
                file.Flush(); // durable before the rename publishes it: a crash never shows a half-written link
            }
            if (uid >= 0 || gid >= 0)
                Store.SetOwner(temp, uid, gid);
            Append(new CreateRecord(header.FileId.ToUInt128(), p, NodeKind.Symlink, 0x1FF, uid, gid, 0, UtcNow().Ticks, []));
            Store.Rename(temp, sp, replace: false);
            info = InfoOf(sp, Store.TryGetEntry(sp)!);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>readlink(2).</summary>
    public FsStatus ReadSymlink(string path, out string target)
    {
        target = "";
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            using var scope = Locks.Lookup(FsPath.Parent(p));
            var sp = StorePath(p);
            var entry = Store.TryGetEntry(sp);
            if (entry is null)
                return FsStatus.NotFound;
            if (entry.Kind != BackingEntryKind.File)
                return FsStatus.NotASymlink;
            using var file = Store.OpenFile(sp, BackingOpenMode.OpenRead);
            var header = ReadHeader(file, sp, out _);
            if ((header.Flags & HeaderFlags.Symlink) == 0)
                return FsStatus.NotASymlink;
            if (header.Vdl > 64 * 1024)
                return FsStatus.DataCorrupt;
            var stored = new byte[Layout.StoredLengthOfRun(header.Vdl)];
            if (ReadFully(file, FileHeader.Size, stored) < stored.Length)
                throw new ChunkAuthenticationException("/" + sp, 0, "the symlink's target is missing");
            var plain = new byte[header.Vdl];
            using (var cipher = Vault.OpenFileCipher(header.FileId))
                cipher.DecryptChunks(0, stored, plain, "/" + sp);
            target = Encoding.UTF8.GetString(plain);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }
}
