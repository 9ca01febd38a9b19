using System.Buffers;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd.Nodes;
using Layered.Journal;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

public sealed partial class Volume
{
    /// <summary>
    /// Finds or creates the node for the object at <paramref name="storePath"/> and counts one more handle on it.
    /// Caller holds the namespace lock of the path's directory, so the name cannot change meanwhile.
    /// </summary>
    internal FileNode AcquireNode(string storePath, BackingEntry entry, NewFile? created = null)
    {
        lock (Nodes.Sync)
        {
            if (created is not null)
            {
                // A file this volume just created under the directory's exclusive lock: no live node can hold its
                // inode except a deleted one whose inode number the backing file system reused.
                var stale = Nodes.FindLocked(entry.Inode);
                if (stale is not null && !stale.Deleted)
                {
                    created.File.Dispose();
                    throw new FsException(FsStatus.IoError, storePath, "A new file's inode belongs to a live node");
                }
                var fresh = NodeOfNewFile(storePath, entry, created);
                fresh.HandleCount = 1;
                fresh.OpenCount = 1;
                Nodes.AddLocked(fresh);
                return fresh;
            }
            var node = Nodes.FindLocked(entry.Inode);
            if ((node is null || node.Deleted) && entry.Kind == BackingEntryKind.File && MixedContent)
            {
                // A plaintext file of a folder being adopted is encrypted before its node is made (Adoption/).
                entry = ConvertOnOpenLocked(storePath, entry);
                node = Nodes.FindLocked(entry.Inode);
            }
            if (node is null || node.Deleted)
            {
                node = CreateNode(storePath, entry);
                Nodes.AddLocked(node);
            }
            else if (node.Path is null)
            {
                // It lost the name it was known by while another hard link remained: this is a name of it now.
                node.Path = storePath;
            }
            lock (node.Sync)
            {
                node.HandleCount++;
                node.OpenCount++;
            }
            return node;
        }
    }

    /// <summary>The node of a file just created: its backing file is open and its header is known.</summary>
    private static FileNode NodeOfNewFile(string storePath, BackingEntry entry, NewFile created) =>
        new(entry.Inode, NodeType.File, storePath)
        {
            File = created.File,
            FileId = created.Header.FileId,
            Flags = created.Header.Flags,
            Eof = created.Header.Eof,
            Vdl = created.Header.Vdl,
            SizeLsn = created.Header.AppliedLsn,
        };

    private FileNode CreateNode(string storePath, BackingEntry entry)
    {
        if (entry.Kind == BackingEntryKind.Directory)
            return new FileNode(entry.Inode, NodeType.Directory, storePath);
        if (entry.Kind != BackingEntryKind.File)
            throw new FsException(FsStatus.NotSupported, storePath, "The backing folder holds an object that is neither a file nor a directory");

        var file = Store.OpenFile(storePath, ReadOnly ? BackingOpenMode.OpenRead : BackingOpenMode.OpenReadWrite);
        try
        {
            var header = ReadHeader(file, storePath, out bool missing);
            var node = new FileNode(entry.Inode, (header.Flags & HeaderFlags.Symlink) != 0 ? NodeType.Symlink : NodeType.File, storePath)
            {
                File = file,
                FileId = header.FileId,
                Flags = header.Flags,
                Eof = header.Eof,
                Vdl = header.Vdl,
                SizeLsn = header.AppliedLsn,
                HeaderMissing = missing,
            };
            return node;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads and authenticates a file's header. A file shorter than a header is an empty file whose
    /// header was never written (creation writes it first; a crash may leave it out or torn). While the vault has
    /// mixed content (<see cref="MixedContent"/>), a plaintext file also reports a missing header: it has no id or
    /// Layered size yet (stat reports its plaintext size; opening it converts it first).</summary>
    internal FileHeader ReadHeader(IBackingFile file, string storePath, out bool missing)
    {
        Span<byte> buffer = stackalloc byte[FileHeader.Size];
        int n = ReadFully(file, 0, buffer);
        // Shorter than a header, or (outside adoption) a header region never written: an empty file whose header
        // did not reach the disk before a crash; its unsynced data is not readable without it.
        if (n < FileHeader.Size || n > 0 && !HeaderCodec.HasMagic(buffer[..n]) && MixedContent ||
            !MixedContent && !buffer.ContainsAnyExcept((byte)0))
        {
            missing = true;
            return FileHeader.NewEmpty();
        }
        missing = false;
        return Vault.Headers.Decode(buffer, "/" + storePath);
    }

    internal static int ReadFully(IBackingFile file, long offset, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = file.Read(offset + total, buffer[total..]);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    /// <summary>Sizes of files that are not open, as their headers said (see <see cref="Metadata.HeaderCache"/>).</summary>
    internal readonly Metadata.HeaderCache HeaderCache = new();

    /// <summary>Writes the node's current sizes into its header. Caller holds node.Sync.</summary>
    internal void WriteHeaderLocked(FileNode node, long eof, long vdl, long appliedLsn)
    {
        HeaderCache.Invalidate(node.Inode);
        Span<byte> buffer = stackalloc byte[FileHeader.Size];
        Vault.Headers.Encode(new FileHeader(node.FileId, eof, vdl, appliedLsn, node.Flags), buffer);
        node.File!.Write(0, buffer);
        node.HeaderMissing = false;
    }

    /// <summary>Sizes and type of a file that may not be open: from its node when there is one, else its header.</summary>
    internal FileInformation InfoOf(string storePath, BackingEntry entry)
    {
        var node = Nodes.Find(entry.Inode);
        if (node is not null && !node.Deleted)
            return InfoOf(node, entry);
        var type = NodeType.Directory;
        long eof = 0, vdl = 0;
        if (entry.Kind == BackingEntryKind.File && !HeaderCache.TryGet(entry, out type, out eof, out vdl))
        {
            using var file = Store.OpenFile(storePath, BackingOpenMode.OpenRead);
            if (MixedContent && StoredForms.Probe(file) == StoredForm.Plaintext)
            {
                // Not converted yet: its size is its plaintext size.
                type = NodeType.File;
                eof = vdl = entry.Length;
            }
            else
            {
                var header = ReadHeader(file, storePath, out _);
                type = (header.Flags & HeaderFlags.Symlink) != 0 ? NodeType.Symlink : NodeType.File;
                eof = header.Eof;
                vdl = header.Vdl;
                HeaderCache.Put(entry, type, eof, vdl);
            }
        }
        else if (entry.Kind is not (BackingEntryKind.File or BackingEntryKind.Directory))
        {
            throw new FsException(FsStatus.NotSupported, storePath, "The backing folder holds an object that is neither a file nor a directory");
        }
        var (attributes, creation) = LoadNtMetadata(storePath, type, entry);
        return Build(type, entry, eof, vdl, 0, attributes, creation, entry.LastWriteUtc);
    }

    internal FileInformation InfoOf(FileNode node, BackingEntry entry)
    {
        // The entry may predate a conversion on open, which gave the name a new object: report the node's.
        if (entry.Inode != node.Inode && node.Path is { } current && Store.TryGetEntry(current) is { } fresh && fresh.Inode == node.Inode)
            entry = fresh;
        long eof, vdl, hint;
        DateTime lastWrite;
        lock (node.Sync)
        {
            eof = node.Eof;
            vdl = node.Vdl;
            hint = node.AllocationHint;
            lastWrite = node.LastWriteUtc ?? entry.LastWriteUtc;
        }
        if (!node.NtLoaded)
        {
            var (a, c) = LoadNtMetadata(node.Path ?? "", node.Type, entry);
            lock (node.Sync)
            {
                if (!node.NtLoaded)
                {
                    node.NtAttributes = a;
                    node.CreationUtc = c;
                    node.NtLoaded = true;
                }
            }
        }
        return Build(node.Type, entry, eof, vdl, hint, node.NtAttributes, node.CreationUtc ?? entry.ChangeUtc, lastWrite);
    }

    /// <summary>Info of an open node, stat-ing its current name.</summary>
    internal FileInformation InfoOf(FileNode node)
    {
        var path = node.Path;
        BackingEntry? entry = path is null ? null : Store.TryGetEntry(path);
        if (entry is null || entry.Inode != node.Inode)
        {
            // Removed while open: report what the node knows.
            var now = UtcNow();
            entry = new BackingEntry(path is null ? "" : FsPath.Name(path), node.Type == NodeType.Directory ? BackingEntryKind.Directory : BackingEntryKind.File,
                0, node.Inode, 0, UnixMode.DefaultFile, 0, 0, now, now, now);
        }
        return InfoOf(node, entry);
    }

    private FileInformation Build(NodeType type, BackingEntry e, long eof, long vdl, long allocationHint, NtAttributes attributes, DateTime creation, DateTime lastWrite)
    {
        long allocation = type == NodeType.Directory ? 0 : Math.Max(allocationHint, RoundUp(eof, 4096));
        var attrs = attributes & NtAttributes.Settable;
        if (type == NodeType.Directory) attrs |= NtAttributes.Directory;
        if (type == NodeType.Symlink) attrs |= NtAttributes.ReparsePoint;
        if (!_options.NtMetadata && (e.Mode & (UnixMode.UserWrite | UnixMode.GroupWrite | UnixMode.OtherWrite)) == 0)
            attrs |= NtAttributes.ReadOnly;
        if (attrs == NtAttributes.None) attrs = NtAttributes.Normal;
        return new FileInformation(type, e.Inode, eof, allocation, vdl, attrs, e.Mode, e.Uid, e.Gid, e.LinkCount,
            creation, e.LastAccessUtc, lastWrite, e.ChangeUtc);
    }

    internal static long RoundUp(long value, long unit) => (value + unit - 1) / unit * unit;

    // ---- NT metadata: attributes and creation time, kept in one backing xattr when the volume keeps them ----
    internal const string NtMetadataXattr = "layered.nt";

    private (NtAttributes, DateTime) LoadNtMetadata(string storePath, NodeType type, BackingEntry entry)
    {
        if (!_options.NtMetadata || storePath.Length == 0 && type != NodeType.Directory)
            return (NtAttributes.None, entry.ChangeUtc);
        var raw = Store.GetXattr(storePath, NtMetadataXattr);
        if (raw is null || raw.Length != 12)
            return (type == NodeType.Directory ? NtAttributes.None : NtAttributes.Archive, entry.ChangeUtc);
        var attrs = (NtAttributes)BitConverter.ToUInt32(raw, 0);
        var ticks = BitConverter.ToInt64(raw, 4);
        return (attrs, ticks > 0 && ticks <= DateTime.MaxValue.Ticks ? new DateTime(ticks, DateTimeKind.Utc) : entry.ChangeUtc);
    }

    internal void StoreNtMetadata(string storePath, NtAttributes attributes, DateTime creation)
    {
        if (!_options.NtMetadata)
            return;
        Span<byte> raw = stackalloc byte[12];
        BitConverter.TryWriteBytes(raw, (uint)(attributes & NtAttributes.Settable));
        BitConverter.TryWriteBytes(raw[4..], creation.Ticks);
        Store.SetXattr(storePath, NtMetadataXattr, raw);
    }

    /// <summary>Maps the exceptions of the layers below to a status; false for programming errors.</summary>
    internal bool TryMapException(Exception e, string path, out FsStatus status)
    {
        switch (e)
        {
            case FsException fe:
                status = fe.Status;
                return true;
            case BackingStoreException be:
                status = be.Error switch
                {
                    BackingError.NotFound => FsStatus.NotFound,
                    BackingError.AlreadyExists => FsStatus.AlreadyExists,
                    BackingError.NotEmpty => FsStatus.DirectoryNotEmpty,
                    BackingError.IsADirectory => FsStatus.IsADirectory,
                    BackingError.NotADirectory => FsStatus.NotADirectory,
                    BackingError.AccessDenied => FsStatus.AccessDenied,
                    BackingError.NameInvalid => FsStatus.NameInvalid,
                    BackingError.NameTooLong => FsStatus.NameTooLong,
                    BackingError.NoSpace => FsStatus.DiskFull,
                    BackingError.NotSupported => FsStatus.NotSupported,
                    _ => FsStatus.IoError,
                };
                if (status == FsStatus.IoError)
                    Log.LogError(e, "Backing store I/O error on '/{Path}'", path);
                return true;
            case ChunkAuthenticationException or HeaderAuthenticationException or IntegrityException or NotEncryptedException or UnsupportedFormatException:
                Log.LogError("Authentication failed: {Message}", e.Message);
                status = FsStatus.DataCorrupt;
                return true;
            case JournalStallException or JournalCorruptException:
                Log.LogError(e, "Journal failure during an operation on '/{Path}'", path);
                status = FsStatus.IoError;
                return true;
            case IOException:
                Log.LogError(e, "I/O error on '/{Path}'", path);
                status = FsStatus.IoError;
                return true;
            default:
                status = FsStatus.IoError;
                return false;
        }
    }

    internal void CheckWritable(string path)
    {
        if (ReadOnly)
            throw new FsException(FsStatus.ReadOnlyVolume, path, "The volume is mounted read-only");
    }

    internal static NodeKind KindOf(NodeType t) => t switch
    {
        NodeType.Directory => NodeKind.Directory,
        NodeType.Symlink => NodeKind.Symlink,
        _ => NodeKind.File,
    };

    /// <summary>
    /// The engine's own pool for chunk batches. Not ArrayPool.Shared: that pool keeps one array per size in each
    /// thread's local storage, and libfuse starts and ends worker threads as load changes, so every retired thread
    /// left its 1-2 MiB batch buffers as garbage on the large object heap, which only a full GC reclaims (the mount
    /// reached 280 MiB resident with 31 MiB live). This pool is shared by all threads and bounded per size class;
    /// an array returned to a full class is simply dropped.
    /// </summary>
    internal static readonly ArrayPool<byte> Buffers =
        ArrayPool<byte>.Create(maxArrayLength: 2 << 20, maxArraysPerBucket: 4 * Environment.ProcessorCount + 8);
}
