using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace Layered.Backing.DirectoryStore;

/// <summary>
/// The Windows side of the directory store, over .NET and Win32 (NTFS). It compiles everywhere but has
/// not been run: the project's machines are Linux. Known differences from Linux, by design:
/// inode = NTFS file index (GetFileInformationByHandle); mode is synthesized (0755 for directories,
/// 0644 or 0444 from the read-only attribute) and SetMode only maps the owner-write bit to that
/// attribute; owners and extended attributes are NotSupported; SyncDirectory is a no-op because NTFS
/// journals its metadata; a directory replacing an empty directory is two steps (remove, then move).
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsFileSystem(ILogger logger) : INativeFileSystem
{
    private static readonly char[] ForbiddenNameCharacters = ['\\', ':', '*', '?', '"', '<', '>', '|'];

    public BackingEntry? TryGetEntry(StorePath path)
    {
        CheckName(path);
        using var handle = WindowsNative.CreateFile(path.Full, WindowsNative.FileReadAttributes, WindowsNative.FileShareAll, 0,
            WindowsNative.OpenExisting, WindowsNative.FileFlagBackupSemantics | WindowsNative.FileFlagOpenReparsePoint, 0);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            return error is WindowsNative.ErrorFileNotFound or WindowsNative.ErrorPathNotFound
                ? null
                : throw WindowsNative.Exception(error, "open for attributes", path.Relative);
        }
        if (!WindowsNative.GetFileInformationByHandle(handle, out var info))
        {
            throw WindowsNative.Last("GetFileInformationByHandle", path.Relative);
        }
        var kind = (info.FileAttributes & WindowsNative.FileAttributeReparsePoint) != 0 ? BackingEntryKind.Symlink
            : (info.FileAttributes & WindowsNative.FileAttributeDirectory) != 0 ? BackingEntryKind.Directory
            : BackingEntryKind.File;
        var mode = kind == BackingEntryKind.Directory ? UnixMode.DefaultDirectory
            : (info.FileAttributes & WindowsNative.FileAttributeReadOnly) != 0 ? UnixMode.UserRead | UnixMode.GroupRead | UnixMode.OtherRead
            : UnixMode.DefaultFile;
        var lastWrite = DateTime.FromFileTimeUtc(info.LastWriteTime);
        return new BackingEntry(
            BackingPath.Name(path.Relative), kind,
            kind == BackingEntryKind.File ? ((long)info.FileSizeHigh << 32) | info.FileSizeLow : 0,
            ((ulong)info.FileIndexHigh << 32) | info.FileIndexLow,
            (int)info.NumberOfLinks, mode, 0, 0,
            DateTime.FromFileTimeUtc(info.LastAccessTime), lastWrite, lastWrite);
    }

    public IReadOnlyList<BackingEntry> ListDirectory(StorePath path)
    {
        var self = TryGetEntry(path) ?? throw new BackingStoreException(BackingError.NotFound, path.Relative, "Directory not found");
        if (self.Kind != BackingEntryKind.Directory)
        {
            throw new BackingStoreException(BackingError.NotADirectory, path.Relative, "Not a directory");
        }
        var entries = new List<BackingEntry>();
        try
        {
            foreach (var full in System.IO.Directory.EnumerateFileSystemEntries(path.Full))
            {
                var name = Path.GetFileName(full);
                if (TryGetEntry(new StorePath(BackingPath.Combine(path.Relative, name), full)) is { } entry)
                {
                    entries.Add(entry);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, "list directory", path.Relative);
        }
        return entries;
    }

    public IBackingFile OpenFile(StorePath path, BackingOpenMode mode)
    {
        CheckName(path);
        if (TryGetEntry(path)?.Kind == BackingEntryKind.Directory)
        {
            throw new BackingStoreException(BackingError.IsADirectory, path.Relative, "Cannot open a directory as a file");
        }
        var (fileMode, access) = mode switch
        {
            BackingOpenMode.OpenRead => (FileMode.Open, FileAccess.Read),
            BackingOpenMode.OpenReadWrite => (FileMode.Open, FileAccess.ReadWrite),
            BackingOpenMode.CreateNew => (FileMode.CreateNew, FileAccess.ReadWrite),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown open mode"),
        };
        try
        {
            // FileShare.Delete lets the engine rename or unlink a file that is open, as on POSIX.
            var handle = File.OpenHandle(path.Full, fileMode, access, FileShare.ReadWrite | FileShare.Delete);
            return new WindowsBackingFile(handle, path.Relative);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, "open", path.Relative);
        }
    }

    public void CreateDirectory(StorePath path, UnixMode mode)
    {
        CheckName(path);
        if (!WindowsNative.CreateDirectory(path.Full, 0))
        {
            throw WindowsNative.Last("CreateDirectory", path.Relative);
        }
    }

    public void DeleteFile(StorePath path)
    {
        if (TryGetEntry(path)?.Kind == BackingEntryKind.Directory)
        {
            throw new BackingStoreException(BackingError.IsADirectory, path.Relative, "Cannot delete a directory as a file");
        }
        if (!WindowsNative.DeleteFile(path.Full))
        {
            throw WindowsNative.Last("DeleteFile", path.Relative);
        }
    }

    public void DeleteDirectory(StorePath path)
    {
        if (TryGetEntry(path) is { Kind: not BackingEntryKind.Directory })
        {
            throw new BackingStoreException(BackingError.NotADirectory, path.Relative, "Not a directory");
        }
        if (!WindowsNative.RemoveDirectory(path.Full))
        {
            throw WindowsNative.Last("RemoveDirectory", path.Relative);
        }
    }

    public void Rename(StorePath from, StorePath to, bool replace)
    {
        CheckName(to);
        var source = TryGetEntry(from) ?? throw new BackingStoreException(BackingError.NotFound, from.Relative, "Rename source not found");
        var target = TryGetEntry(to);
        if (target is not null)
        {
            if (!replace)
            {
                throw new BackingStoreException(BackingError.AlreadyExists, to.Relative, $"Rename of '{from.Relative}' refused: the target exists");
            }
            if (target.Inode == source.Inode)
            {
                return; // POSIX: renaming onto another name of the same file does nothing
            }
            if (source.Kind == BackingEntryKind.Directory && target.Kind != BackingEntryKind.Directory)
            {
                throw new BackingStoreException(BackingError.NotADirectory, to.Relative, "Cannot replace a file with a directory");
            }
            if (source.Kind != BackingEntryKind.Directory && target.Kind == BackingEntryKind.Directory)
            {
                throw new BackingStoreException(BackingError.IsADirectory, to.Relative, "Cannot replace a directory with a file");
            }
            if (target.Kind == BackingEntryKind.Directory)
            {
                // MoveFileEx never replaces a directory: remove the empty target first (not atomic).
                DeleteDirectory(to);
            }
        }
        var flags = WindowsNative.MoveFileWriteThrough | (replace ? WindowsNative.MoveFileReplaceExisting : 0);
        if (!WindowsNative.MoveFileEx(from.Full, to.Full, flags))
        {
            throw WindowsNative.Last($"Rename of '{from.Relative}' to '{to.Relative}'", to.Relative);
        }
    }

    public void CreateHardLink(StorePath existing, StorePath newPath)
    {
        CheckName(newPath);
        if (TryGetEntry(existing)?.Kind == BackingEntryKind.Directory)
        {
            throw new BackingStoreException(BackingError.IsADirectory, existing.Relative, "Cannot hard-link a directory");
        }
        if (!WindowsNative.CreateHardLink(newPath.Full, existing.Full, 0))
        {
            throw WindowsNative.Last($"Link of '{existing.Relative}'", newPath.Relative);
        }
    }

    public void SetMode(StorePath path, UnixMode mode)
    {
        var entry = TryGetEntry(path) ?? throw new BackingStoreException(BackingError.NotFound, path.Relative, "Not found");
        try
        {
            var attributes = File.GetAttributes(path.Full);
            var readOnly = entry.Kind == BackingEntryKind.File && (mode & UnixMode.UserWrite) == 0;
            File.SetAttributes(path.Full, readOnly ? attributes | FileAttributes.ReadOnly : attributes & ~FileAttributes.ReadOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, "set attributes", path.Relative);
        }
    }

    public void SetOwner(StorePath path, int uid, int gid) =>
        throw new BackingStoreException(BackingError.NotSupported, path.Relative, "POSIX owners are not supported on Windows");

    public void SetTimes(StorePath path, DateTime? lastAccessUtc, DateTime? lastWriteUtc)
    {
        _ = TryGetEntry(path) ?? throw new BackingStoreException(BackingError.NotFound, path.Relative, "Not found");
        try
        {
            if (lastAccessUtc is { } access)
            {
                File.SetLastAccessTimeUtc(path.Full, access);
            }
            if (lastWriteUtc is { } write)
            {
                File.SetLastWriteTimeUtc(path.Full, write);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, "set times", path.Relative);
        }
    }

    public byte[]? GetXattr(StorePath path, string name) => throw XattrsNotSupported(path);

    public void SetXattr(StorePath path, string name, ReadOnlySpan<byte> value) => throw XattrsNotSupported(path);

    public bool RemoveXattr(StorePath path, string name) => throw XattrsNotSupported(path);

    public IReadOnlyList<string> ListXattrs(StorePath path) => throw XattrsNotSupported(path);

    public void SyncDirectory(StorePath path)
    {
        // NTFS journals directory changes itself; there is no directory flush to do. Still report a missing path.
        var entry = TryGetEntry(path) ?? throw new BackingStoreException(BackingError.NotFound, path.Relative, "Directory not found");
        if (entry.Kind != BackingEntryKind.Directory)
        {
            throw new BackingStoreException(BackingError.NotADirectory, path.Relative, "Not a directory");
        }
    }

    /// <summary>None: flushing a whole NTFS volume (FlushFileBuffers on the volume handle) needs administrator
    /// rights, so the store flushes file by file.</summary>
    public IFileSystemFlush? OpenFileSystemFlush(StorePath root) => null;

    public BackingStatistics GetStatistics(StorePath root)
    {
        if (!WindowsNative.GetDiskFreeSpaceEx(root.Full, out var available, out var total, out var free))
        {
            throw WindowsNative.Last("GetDiskFreeSpaceEx", root.Relative);
        }
        return new BackingStatistics((long)total, (long)free, (long)available);
    }

    public IDisposable AcquireExclusiveLock(StorePath path)
    {
        try
        {
            // FileShare.None: any second open, in this process or another, fails with a sharing violation.
            var stream = new FileStream(path.Full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            logger.LogDebug("Took the exclusive lock {LockPath}", path.Relative);
            return stream;
        }
        catch (IOException e) when ((e.HResult & 0xFFFF) is WindowsNative.ErrorSharingViolation or WindowsNative.ErrorLockViolation)
        {
            throw new BackingStoreException(BackingError.Locked, path.Relative, "The lock is held by another process or mount", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, "open lock file", path.Relative);
        }
    }

    /// <summary>Windows refuses these characters in names; say so clearly instead of a vague Win32 error.</summary>
    private static void CheckName(StorePath path)
    {
        if (path.Relative.IndexOfAny(ForbiddenNameCharacters) >= 0)
        {
            throw new BackingStoreException(BackingError.NameInvalid, path.Relative, "Name has a character Windows does not allow");
        }
    }

    private static BackingStoreException XattrsNotSupported(StorePath path) =>
        new(BackingError.NotSupported, path.Relative, "Extended attributes are not supported by the Windows directory store");
}
