using System.Security.Cryptography;
using System.Text;
using Layered.Backing;
using Layered.Crypto;
using Layered.Journal;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

// One file converted in place, in either direction, as one atomic step on the backing store: the converted copy is
// built under .layered/tmp (which recovery empties), made durable with its attributes, times, permissions and owner,
// journaled, renamed over the original, and the directory fsynced. An interruption anywhere leaves either the
// original or the converted file at the name, never both, never half of one. The caller holds the exclusive lock of
// the name's directory (or its shared lock and the node table's monitor, for conversion on open), so no engine
// operation sees the name in between.
public sealed partial class Volume
{
    /// <summary>Plaintext read per step: whole chunks, about 1 MiB.</summary>
    private int ConversionBlock => Layout.ChunkSize * Math.Max(1, (1 << 20) / Layout.ChunkSize);

    /// <summary>Store xattr names the engine owns on a file (values sealed to the file, or its NT metadata).</summary>
    private const string SealedXattrPrefix = "lx.";

    /// <summary>
    /// Encrypts the plaintext file (or backing symlink, whose target is <paramref name="symlinkTarget"/>) at
    /// <paramref name="storePath"/> in place. When <paramref name="groupKeyPath"/> is given (a hard-link group), the
    /// encrypted file also gets that name before it replaces the original, so the group's other names can be linked
    /// to it later. Returns the new entry.
    /// </summary>
    internal BackingEntry EncryptInPlaceLocked(string plainPath, string storePath, BackingEntry entry, string? symlinkTarget, string? groupKeyPath)
    {
        var copy = WriteEncryptedCopy(storePath, entry, symlinkTarget, durable: true, keepOriginalOpen: false);
        try
        {
            return ReplaceWithConverted(plainPath, storePath, entry, copy.TempPath, copy.Id, groupKeyPath);
        }
        catch
        {
            DeleteQuietly(copy.TempPath);
            throw;
        }
    }

    /// <summary>
    /// Writes the encrypted copy of the plaintext file (or backing symlink) at <paramref name="storePath"/> under
    /// .layered/tmp, with the original's owner, xattrs, permissions and times; fsynced when <paramref name="durable"/>
    /// (otherwise the caller makes it durable, e.g. with one syncfs for a batch, before it replaces the original).
    /// Needs no lock: the engine never writes a plaintext file, and the replacement checks the original is unchanged.
    /// With <paramref name="keepOriginalOpen"/> the original's handle is returned open, for the caller to close after the
    /// rename: the rename then only drops a name, and freeing the original's blocks (an ext4 journal transaction that
    /// waits when the journal is busy) happens at that close, off the path that renames one file after another.
    /// </summary>
    internal EncryptedCopy WriteEncryptedCopy(string storePath, BackingEntry entry, string? symlinkTarget, bool durable, bool keepOriginalOpen)
    {
        var id = FileId.NewRandom();
        var temp = NewTempPath();
        IBackingFile? original = null;
        try
        {
            using var cipher = Vault.OpenFileCipher(id);
            using var target = Store.OpenFile(temp, BackingOpenMode.CreateNew);
            long length;
            HeaderFlags flags = HeaderFlags.None;
            if (symlinkTarget is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(symlinkTarget);
                var stored = new byte[Layout.StoredLengthOfRun(bytes.Length)];
                cipher.EncryptChunks(0, bytes, stored);
                target.Write(FileHeader.Size, stored);
                length = bytes.Length;
                flags = HeaderFlags.Symlink;
            }
            else
            {
                original = Store.OpenFile(storePath, BackingOpenMode.OpenRead);
                length = CopyEncrypted(original, cipher, target);
            }
            Span<byte> header = stackalloc byte[FileHeader.Size];
            Vault.Headers.Encode(new FileHeader(id, length, length, 0, flags), header);
            target.Write(0, header);
            CopyOwnerAndXattrs(storePath, entry, temp, xattr => EncryptXattr(id, xattr), symlinkTarget is not null);
            if (symlinkTarget is null)
                Store.SetMode(temp, entry.Mode & UnixMode.PermissionMask);
            Store.SetTimes(temp, entry.LastAccessUtc, entry.LastWriteUtc);
            if (durable)
                target.Flush();
            var copy = new EncryptedCopy(temp, id, length, keepOriginalOpen ? original : null);
            if (!keepOriginalOpen)
                original?.Dispose();
            return copy;
        }
        catch
        {
            original?.Dispose();
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>
    /// Puts a durable encrypted copy (see <see cref="WriteEncryptedCopy"/>) in place of its original, under the
    /// exclusive lock of the name's directory, without fsyncing the directory (the caller does, once per batch).
    /// Returns <see cref="CopyOutcome.Replaced"/>; <see cref="CopyOutcome.Gone"/> when the name no longer holds the
    /// original (removed, renamed away or converted on open meanwhile: the copy is deleted, nothing is lost); and
    /// <see cref="CopyOutcome.LinkGroup"/> when the original is the last name of a hard-link group whose converted
    /// file exists (the copy is deleted; the name must be relinked instead). Throws when the original changed.
    /// </summary>
    internal CopyOutcome ReplaceWithCopy(string plainPath, string storePath, BackingEntry original, EncryptedCopy copy)
    {
        try
        {
            using var scope = Locks.Change(FsPath.Parent(plainPath));
            var now = Store.TryGetEntry(storePath);
            if (now is null || now.Inode != original.Inode || now.Kind != BackingEntryKind.File)
            {
                DeleteQuietly(copy.TempPath);
                return CopyOutcome.Gone;
            }
            if (Store.TryGetEntry(GroupKey(AdoptLinksDirectory, now)) is not null)
            {
                DeleteQuietly(copy.TempPath);
                return CopyOutcome.LinkGroup;
            }
            CheckUnchanged(plainPath, storePath, original);
            Append(new RenameRecord(copy.Id.ToUInt128(), copy.TempPath, plainPath, 0, RenameMode.Replace));
            Store.Rename(copy.TempPath, storePath, replace: true);
            return CopyOutcome.Replaced;
        }
        catch
        {
            DeleteQuietly(copy.TempPath);
            throw;
        }
    }

    /// <summary>
    /// Decrypts the Layered file at <paramref name="storePath"/> in place: a regular file becomes its plaintext, a
    /// Layered symlink becomes a backing symlink made by <paramref name="createSymlink"/> (store path, target).
    /// </summary>
    internal BackingEntry DecryptInPlaceLocked(string plainPath, string storePath, BackingEntry entry, Action<string, string> createSymlink, string? groupKeyPath)
    {
        var node = Nodes.Find(entry.Inode);
        if (node is not null && !node.Deleted)
            throw new FsException(FsStatus.AccessDenied, plainPath, "The file is open; it is left encrypted");
        var temp = NewTempPath();
        try
        {
            FileHeader header;
            using (var source = Store.OpenFile(storePath, BackingOpenMode.OpenRead))
            {
                header = ReadHeader(source, storePath, out _);
                using var cipher = Vault.OpenFileCipher(header.FileId);
                if ((header.Flags & HeaderFlags.Symlink) != 0)
                {
                    createSymlink(temp, ReadSymlinkTarget(source, cipher, header, storePath));
                }
                else
                {
                    using var target = Store.OpenFile(temp, BackingOpenMode.CreateNew);
                    CopyDecrypted(source, storePath, cipher, header, target);
                    CopyOwnerAndXattrs(storePath, entry, temp, xattr => DecryptXattr(header.FileId, storePath, xattr), isSymlink: false);
                    Store.SetMode(temp, entry.Mode & UnixMode.PermissionMask);
                    Store.SetTimes(temp, entry.LastAccessUtc, entry.LastWriteUtc);
                    target.Flush();
                }
            }
            if ((header.Flags & HeaderFlags.Symlink) != 0)
            {
                CopyOwnerAndXattrs(storePath, entry, temp, _ => null, isSymlink: true);
                Store.SetTimes(temp, entry.LastAccessUtc, entry.LastWriteUtc);
                Store.SyncDirectory(TempDirectory);
            }
            return ReplaceWithConverted(plainPath, storePath, entry, temp, header.FileId, groupKeyPath);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>Gives the name <paramref name="storePath"/> to the already converted file at <paramref name="groupKeyPath"/>
    /// (another name of the same hard-link group was converted first), atomically.</summary>
    internal BackingEntry RelinkToConvertedLocked(string plainPath, string storePath, BackingEntry entry, string groupKeyPath, UInt128 fileId)
    {
        var temp = NewTempPath();
        try
        {
            Store.CreateHardLink(groupKeyPath, temp);
            return ReplaceWithConverted(plainPath, storePath, entry, temp, FileId.FromUInt128(fileId), null);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>The identity of a hard-link group's original object: stable while any of its names is unconverted.</summary>
    internal static string GroupKey(string linksDirectory, BackingEntry entry) =>
        $"{linksDirectory}/{entry.Inode:x}-{entry.Length:x}-{entry.LastWriteUtc.Ticks:x}";

    private BackingEntry ReplaceWithConverted(string plainPath, string storePath, BackingEntry original, string temp, FileId id, string? groupKeyPath)
    {
        CheckUnchanged(plainPath, storePath, original);
        if (groupKeyPath is not null)
        {
            var dir = FsPath.Parent(groupKeyPath);
            if (Store.TryGetEntry(dir) is null)
            {
                Store.CreateDirectory(dir, UnixMode.UserRead | UnixMode.UserWrite | UnixMode.UserExecute);
                Store.SyncDirectory(MetaDirectory);
            }
            Store.CreateHardLink(temp, groupKeyPath);
            Store.SyncDirectory(dir);
        }
        Append(new RenameRecord(id.ToUInt128(), temp, plainPath, 0, RenameMode.Replace));
        Store.Rename(temp, storePath, replace: true);
        Store.SyncDirectory(FsPath.Parent(storePath));
        return Store.TryGetEntry(storePath) ?? throw new FsException(FsStatus.IoError, plainPath, "The converted file vanished");
    }

    /// <summary>The original must be what was read: a writer outside the engine would otherwise lose its change.</summary>
    private void CheckUnchanged(string plainPath, string storePath, BackingEntry original)
    {
        var now = Store.TryGetEntry(storePath);
        if (now is null || now.Inode != original.Inode || now.Length != original.Length || now.LastWriteUtc != original.LastWriteUtc)
            throw new FsException(FsStatus.AccessDenied, plainPath, "The file changed while it was being converted (written to by another program); it is left as it was");
    }

    private long CopyEncrypted(IBackingFile source, FileCipher cipher, IBackingFile target)
    {
        int block = ConversionBlock;
        byte[] plain = Buffers.Rent(block);
        byte[] stored = Buffers.Rent((int)Layout.StoredLengthOfRun(block));
        try
        {
            long offset = 0, chunk = 0;
            while (true)
            {
                int n = ReadFully(source, offset, plain.AsSpan(0, block));
                if (n == 0)
                    break;
                int storedLength = (int)Layout.StoredLengthOfRun(n);
                cipher.EncryptChunks(chunk, plain.AsSpan(0, n), stored.AsSpan(0, storedLength));
                target.Write(Layout.StoredOffsetOf(chunk), stored.AsSpan(0, storedLength));
                offset += n;
                chunk += Layout.ChunkCount(n);
                if (n < block)
                    break;
            }
            return offset;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, block));
            Buffers.Return(plain);
            Buffers.Return(stored);
        }
    }

    private void CopyDecrypted(IBackingFile source, string storePath, FileCipher cipher, FileHeader header, IBackingFile target)
    {
        int block = ConversionBlock;
        byte[] plain = Buffers.Rent(block);
        byte[] stored = Buffers.Rent((int)Layout.StoredLengthOfRun(block));
        try
        {
            for (long offset = 0; offset < header.Vdl; offset += block)
            {
                int n = (int)Math.Min(block, header.Vdl - offset);
                int storedLength = (int)Layout.StoredLengthOfRun(n);
                long chunk = Layout.ChunkIndexOf(offset);
                if (ReadFully(source, Layout.StoredOffsetOf(chunk), stored.AsSpan(0, storedLength)) < storedLength)
                    throw new ChunkAuthenticationException("/" + storePath, chunk + Layout.ChunkCount(n) - 1, "the file is shorter than its header says");
                cipher.DecryptChunks(chunk, stored.AsSpan(0, storedLength), plain.AsSpan(0, n), "/" + storePath);
                target.Write(offset, plain.AsSpan(0, n));
            }
            if (header.Eof > header.Vdl)
                target.SetLength(header.Eof); // bytes past the valid data length read as zeros
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, block));
            Buffers.Return(plain);
            Buffers.Return(stored);
        }
    }

    private string ReadSymlinkTarget(IBackingFile source, FileCipher cipher, FileHeader header, string storePath)
    {
        if (header.Vdl > 64 * 1024)
            throw new FsException(FsStatus.DataCorrupt, storePath, "The symlink's target is implausibly long");
        var stored = new byte[Layout.StoredLengthOfRun(header.Vdl)];
        if (ReadFully(source, FileHeader.Size, stored) < stored.Length)
            throw new ChunkAuthenticationException("/" + storePath, 0, "the symlink's target is missing");
        var plain = new byte[header.Vdl];
        cipher.DecryptChunks(0, stored, plain, "/" + storePath);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Owner (when it differs and may be set) and extended attributes, each mapped by <paramref name="mapXattr"/>
    /// (null drops it), from the original at <paramref name="from"/> to the copy at <paramref name="to"/>.</summary>
    private void CopyOwnerAndXattrs(string from, BackingEntry original, string to, Func<(string Name, byte[] Value), (string Name, byte[] Value)?> mapXattr, bool isSymlink)
    {
        var copy = Store.TryGetEntry(to) ?? throw new FsException(FsStatus.IoError, to, "The converted copy vanished");
        if (copy.Uid != original.Uid || copy.Gid != original.Gid)
        {
            try
            {
                Store.SetOwner(to, original.Uid, original.Gid);
            }
            catch (BackingStoreException e) when (e.Error == BackingError.AccessDenied && !Environment.IsPrivilegedProcess)
            {
                // Only root may give a file away; the converted file then belongs to whoever converts it.
                Log.LogDebug("Owner {Uid}:{Gid} of '/{Path}' not kept (not running as root)", original.Uid, original.Gid, from);
            }
        }
        if (isSymlink)
            return; // Linux keeps no user xattrs on symlinks.
        foreach (var name in Store.ListXattrs(from))
        {
            var value = Store.GetXattr(from, name);
            if (value is null)
                continue;
            if (mapXattr((name, value)) is { } mapped)
                Store.SetXattr(to, mapped.Name, mapped.Value);
        }
    }

    /// <summary>A backing store keeps user xattrs without their "user." namespace (Linux stores them there); the engine
    /// sees the host's full name, which is what its sealed values are bound to.</summary>
    private const string UserNamespace = "user.";

    private (string, byte[])? EncryptXattr(FileId id, (string Name, byte[] Value) xattr)
    {
        if (xattr.Name.StartsWith(SealedXattrPrefix, StringComparison.Ordinal) || xattr.Name == NtMetadataXattr)
            return xattr; // already in the engine's form (a copy of another vault's file?): kept as it is
        var engineName = UserNamespace + xattr.Name;
        return (SealedXattrPrefix + engineName, Vault.Blobs.Seal(id, Encoding.UTF8.GetBytes(engineName), xattr.Value));
    }

    private (string, byte[])? DecryptXattr(FileId id, string storePath, (string Name, byte[] Value) xattr)
    {
        if (xattr.Name == NtMetadataXattr)
            return null; // the engine's own bookkeeping, not the user's
        if (!xattr.Name.StartsWith(SealedXattrPrefix, StringComparison.Ordinal))
            return xattr;
        var engineName = xattr.Name[SealedXattrPrefix.Length..];
        var value = Vault.Blobs.Open(id, Encoding.UTF8.GetBytes(engineName), xattr.Value, "/" + storePath);
        return (engineName.StartsWith(UserNamespace, StringComparison.Ordinal) ? engineName[UserNamespace.Length..] : engineName, value);
    }

    private void DeleteQuietly(string storePath)
    {
        try
        {
            if (Store.TryGetEntry(storePath) is not null)
                Store.DeleteFile(storePath);
        }
        catch (Exception e) when (e is IOException)
        {
            Log.LogWarning(e, "Could not remove the temporary '/{Path}'; recovery removes it at the next mount", storePath);
        }
    }
}
