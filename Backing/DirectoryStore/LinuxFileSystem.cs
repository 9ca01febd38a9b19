using System.IO.Enumeration;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Layered.Backing.DirectoryStore;

/// <summary>
/// The Linux side of the directory store: libc calls (statx, renameat2, linkat, fsync, flock, l*xattr,
/// fchmodat, lchown, utimensat, statvfs) with every errno mapped to a <see cref="BackingError"/>.
/// Nothing follows symbolic links: the store's folder belongs to the volume, and a link planted in it
/// must not lead outside.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxFileSystem : INativeFileSystem
{
    /// <summary>Store xattr names live in the "user." namespace, the only one unprivileged code may use.</summary>
    private const string XattrPrefix = "user.";
    private const int XattrNameMax = 255;
    private const uint OpenFileMode = 0x1A4; // 0644, as the contract's DefaultFile

    private readonly ILogger _logger;
    private readonly uint _umask;

    public LinuxFileSystem(ILogger logger)
    {
        _logger = logger;
        _umask = ReadUmask();
    }

    public unsafe BackingEntry? TryGetEntry(StorePath path)
    {
        byte* statx = stackalloc byte[LinuxLibc.StatxSize];
        if (LinuxLibc.Statx(LinuxLibc.AtFdCwd, path.Full, LinuxLibc.AtSymlinkNoFollow, LinuxLibc.StatxBasicStats, statx) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno is LinuxErrno.ENOENT or LinuxErrno.ENOTDIR)
            {
                return null;
            }
            throw LinuxErrno.Exception(errno, "lstat", path.Relative);
        }
        return LinuxStat.ToEntry(BackingPath.Name(path.Relative), new ReadOnlySpan<byte>(statx, LinuxLibc.StatxSize));
    }

    public unsafe IReadOnlyList<BackingEntry> ListDirectory(StorePath path)
    {
        RequireDirectory(path);
        var names = new List<string>();
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
            names.AddRange(new FileSystemEnumerable<string>(path.Full, (ref FileSystemEntry entry) => entry.FileName.ToString(), options));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new BackingStoreException(BackingError.AccessDenied, path.Relative, "Listing the directory was refused", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new BackingStoreException(BackingError.NotFound, path.Relative, "Directory vanished while listing", e);
        }

        var entries = new List<BackingEntry>(names.Count);
        byte* statx = stackalloc byte[LinuxLibc.StatxSize];
        foreach (var name in names)
        {
            var full = path.Full + "/" + name;
            if (LinuxLibc.Statx(LinuxLibc.AtFdCwd, full, LinuxLibc.AtSymlinkNoFollow, LinuxLibc.StatxBasicStats, statx) != 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == LinuxErrno.ENOENT)
                {
                    continue; // removed between readdir and lstat
                }
                throw LinuxErrno.Exception(errno, "lstat", BackingPath.Combine(path.Relative, name));
            }
            entries.Add(LinuxStat.ToEntry(name, new ReadOnlySpan<byte>(statx, LinuxLibc.StatxSize)));
        }
        return entries;
    }

    public unsafe IBackingFile OpenFile(StorePath path, BackingOpenMode mode)
    {
        var flags = LinuxLibc.OCloExec | LinuxLibc.ONoFollow | mode switch
        {
            BackingOpenMode.OpenRead => LinuxLibc.ORdOnly,
            BackingOpenMode.OpenReadWrite => LinuxLibc.ORdWr,
            BackingOpenMode.CreateNew => LinuxLibc.ORdWr | LinuxLibc.OCreat | LinuxLibc.OExcl,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown open mode"),
        };
        var fd = LinuxLibc.Open(path.Full, flags, OpenFileMode);
        if (fd < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == LinuxErrno.ELOOP)
            {
                throw new BackingStoreException(BackingError.NotSupported, path.Relative, "Cannot open a symbolic link as a file");
            }
            throw LinuxErrno.Exception(errno, "open", path.Relative);
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // open(2) applies the umask; the contract promises DefaultFile for new files.
            if (mode == BackingOpenMode.CreateNew && (OpenFileMode & _umask) != 0 && LinuxLibc.Fchmod(handle, OpenFileMode) != 0)
            {
                throw LinuxErrno.Last("fchmod", path.Relative);
            }
            // O_RDONLY opens directories too; the contract is about regular files only. O_CREAT|O_EXCL|O_NOFOLLOW
            // made a new regular file or failed, so a created file needs no check.
            if (mode == BackingOpenMode.CreateNew)
            {
                return new LinuxBackingFile(handle, path.Relative);
            }
            byte* statx = stackalloc byte[LinuxLibc.StatxSize];
            if (LinuxLibc.Statx(handle, "", LinuxLibc.AtEmptyPath, LinuxLibc.StatxBasicStats, statx) != 0)
            {
                throw LinuxErrno.Last("fstat", path.Relative);
            }
            var kind = LinuxStat.Kind(LinuxStat.Mode(new ReadOnlySpan<byte>(statx, LinuxLibc.StatxSize)));
            if (kind == BackingEntryKind.Directory)
            {
                throw new BackingStoreException(BackingError.IsADirectory, path.Relative, "Cannot open a directory as a file");
            }
            if (kind != BackingEntryKind.File)
            {
                throw new BackingStoreException(BackingError.NotSupported, path.Relative, "Not a regular file");
            }
            return new LinuxBackingFile(handle, path.Relative);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void CreateDirectory(StorePath path, UnixMode mode)
    {
        var bits = (uint)(mode & UnixMode.PermissionMask);
        if (LinuxLibc.Mkdir(path.Full, bits) != 0)
        {
            throw LinuxErrno.Last("mkdir", path.Relative);
        }
        // mkdir applies the process umask; the contract promises the mode asked for.
        if ((bits & _umask) != 0)
        {
            SetMode(path, mode);
        }
    }

    public void DeleteFile(StorePath path)
    {
        if (LinuxLibc.Unlink(path.Full) != 0)
        {
            throw LinuxErrno.Last("unlink", path.Relative);
        }
    }

    public void DeleteDirectory(StorePath path)
    {
        if (LinuxLibc.Rmdir(path.Full) != 0)
        {
            throw LinuxErrno.Last("rmdir", path.Relative);
        }
    }

    public void Rename(StorePath from, StorePath to, bool replace)
    {
        var flags = replace ? 0u : LinuxLibc.RenameNoReplace;
        if (LinuxLibc.Renameat2(LinuxLibc.AtFdCwd, from.Full, LinuxLibc.AtFdCwd, to.Full, flags) == 0)
        {
            return;
        }
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        var message = $"Rename of '{from.Relative}' to '{to.Relative}' failed ({LinuxErrno.Describe(errno)})";
        switch (errno)
        {
            case LinuxErrno.ENOSYS:
                throw new BackingStoreException(BackingError.NotSupported, from.Relative,
                    "renameat2 is unavailable on this kernel; an atomic rename without replace cannot be done safely");
            case LinuxErrno.EINVAL when !replace:
                // Moving a directory into itself is refused before we get here, so EINVAL means the file
                // system does not know RENAME_NOREPLACE. A link+unlink fallback would not be atomic.
                throw new BackingStoreException(BackingError.NotSupported, from.Relative,
                    "The backing file system does not support RENAME_NOREPLACE; an atomic rename without replace cannot be done safely");
            case LinuxErrno.ENOENT:
                // Either the source is missing or the target's parent is.
                throw new BackingStoreException(BackingError.NotFound, Exists(from) ? to.Relative : from.Relative, message);
            case LinuxErrno.ENOTDIR:
                // Either a parent of one path is a file, or a directory would replace a file.
                throw new BackingStoreException(BackingError.NotADirectory, ParentIsDirectory(from) ? to.Relative : from.Relative, message);
            case LinuxErrno.EEXIST or LinuxErrno.ENOTEMPTY or LinuxErrno.EISDIR:
                throw new BackingStoreException(LinuxErrno.ToBackingError(errno), to.Relative, message);
            default:
                throw new BackingStoreException(LinuxErrno.ToBackingError(errno), from.Relative, message);
        }
    }

    public void CreateHardLink(StorePath existing, StorePath newPath)
    {
        if (LinuxLibc.Linkat(LinuxLibc.AtFdCwd, existing.Full, LinuxLibc.AtFdCwd, newPath.Full, 0) == 0)
        {
            return;
        }
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        var message = $"Link of '{existing.Relative}' as '{newPath.Relative}' failed ({LinuxErrno.Describe(errno)})";
        switch (errno)
        {
            case LinuxErrno.EPERM when TryGetEntry(existing)?.Kind == BackingEntryKind.Directory:
                throw new BackingStoreException(BackingError.IsADirectory, existing.Relative, "Cannot hard-link a directory");
            case LinuxErrno.ENOENT:
                throw new BackingStoreException(BackingError.NotFound, Exists(existing) ? newPath.Relative : existing.Relative, message);
            case LinuxErrno.ENOTDIR:
                throw new BackingStoreException(BackingError.NotADirectory, ParentIsDirectory(existing) ? newPath.Relative : existing.Relative, message);
            case LinuxErrno.EEXIST:
                throw new BackingStoreException(BackingError.AlreadyExists, newPath.Relative, message);
            case LinuxErrno.EMLINK:
                throw new BackingStoreException(BackingError.IoError, existing.Relative, "Too many hard links");
            default:
                throw new BackingStoreException(LinuxErrno.ToBackingError(errno), newPath.Relative, message);
        }
    }

    public void SetMode(StorePath path, UnixMode mode)
    {
        if (LinuxLibc.Fchmodat(LinuxLibc.AtFdCwd, path.Full, (uint)(mode & UnixMode.PermissionMask), LinuxLibc.AtSymlinkNoFollow) != 0)
        {
            throw LinuxErrno.Last("chmod", path.Relative);
        }
    }

    public void SetOwner(StorePath path, int uid, int gid)
    {
        if (LinuxLibc.Lchown(path.Full, uid, gid) != 0)
        {
            throw LinuxErrno.Last("chown", path.Relative);
        }
    }

    public unsafe void SetTimes(StorePath path, DateTime? lastAccessUtc, DateTime? lastWriteUtc)
    {
        var times = stackalloc LinuxLibc.Timespec[2];
        times[0] = ToTimespec(lastAccessUtc);
        times[1] = ToTimespec(lastWriteUtc);
        if (LinuxLibc.Utimensat(LinuxLibc.AtFdCwd, path.Full, times, LinuxLibc.AtSymlinkNoFollow) != 0)
        {
            throw LinuxErrno.Last("utimensat", path.Relative);
        }
    }

    public unsafe byte[]? GetXattr(StorePath path, string name)
    {
        var osName = XattrName(path, name);
        while (true)
        {
            var size = LinuxLibc.Lgetxattr(path.Full, osName, null, 0);
            if (size < 0)
            {
                return LastErrorIsNoData() ? null : throw LinuxErrno.Last("getxattr", path.Relative);
            }
            var value = new byte[size];
            fixed (byte* buffer = value)
            {
                var read = LinuxLibc.Lgetxattr(path.Full, osName, buffer, (nuint)value.Length);
                if (read >= 0)
                {
                    return read == value.Length ? value : value[..(int)read];
                }
            }
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != LinuxErrno.ERANGE)
            {
                return errno == LinuxErrno.ENODATA ? null : throw LinuxErrno.Exception(errno, "getxattr", path.Relative);
            }
            // The value grew between the two calls: ask for its size again.
        }
    }

    public unsafe void SetXattr(StorePath path, string name, ReadOnlySpan<byte> value)
    {
        var osName = XattrName(path, name);
        fixed (byte* buffer = value)
        {
            if (LinuxLibc.Lsetxattr(path.Full, osName, buffer, (nuint)value.Length, 0) == 0)
            {
                return;
            }
        }
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno is LinuxErrno.E2BIG or LinuxErrno.ERANGE)
        {
            throw new BackingStoreException(BackingError.NoSpace, path.Relative, $"Extended attribute '{name}' value of {value.Length} bytes is too large");
        }
        throw LinuxErrno.Exception(errno, $"setxattr '{name}'", path.Relative);
    }

    public bool RemoveXattr(StorePath path, string name)
    {
        if (LinuxLibc.Lremovexattr(path.Full, XattrName(path, name)) == 0)
        {
            return true;
        }
        return LastErrorIsNoData() ? false : throw LinuxErrno.Last($"removexattr '{name}'", path.Relative);
    }

    public unsafe IReadOnlyList<string> ListXattrs(StorePath path)
    {
        while (true)
        {
            var size = LinuxLibc.Llistxattr(path.Full, null, 0);
            if (size < 0)
            {
                throw LinuxErrno.Last("listxattr", path.Relative);
            }
            var list = new byte[size];
            nint read;
            fixed (byte* buffer = list)
            {
                read = LinuxLibc.Llistxattr(path.Full, buffer, (nuint)list.Length);
            }
            if (read < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == LinuxErrno.ERANGE)
                {
                    continue; // grew between the calls
                }
                throw LinuxErrno.Exception(errno, "listxattr", path.Relative);
            }
            var names = new List<string>();
            foreach (var range in list.AsSpan(0, (int)read).Split((byte)0))
            {
                var osName = Encoding.UTF8.GetString(list.AsSpan(0, (int)read)[range]);
                if (osName.Length > XattrPrefix.Length && osName.StartsWith(XattrPrefix, StringComparison.Ordinal))
                {
                    names.Add(osName[XattrPrefix.Length..]);
                }
            }
            return names;
        }
    }

    public void SyncDirectory(StorePath path)
    {
        var fd = LinuxLibc.Open(path.Full, LinuxLibc.ORdOnly | LinuxLibc.ODirectory | LinuxLibc.OCloExec, 0);
        if (fd < 0)
        {
            throw LinuxErrno.Last("open directory for fsync", path.Relative);
        }
        try
        {
            if (LinuxLibc.Fsync(fd) != 0)
            {
                throw LinuxErrno.Last("fsync directory", path.Relative);
            }
        }
        finally
        {
            LinuxLibc.Close(fd);
        }
    }

    public IFileSystemFlush? OpenFileSystemFlush(StorePath root) => LinuxFileSystemFlush.Open(root.Full);

    public unsafe BackingStatistics GetStatistics(StorePath root)
    {
        LinuxLibc.StatvfsBuffer buffer;
        if (LinuxLibc.Statvfs(root.Full, &buffer) != 0)
        {
            throw LinuxErrno.Last("statvfs", root.Relative);
        }
        var unit = buffer.FragmentSize != 0 ? buffer.FragmentSize : buffer.BlockSize;
        return new BackingStatistics(
            (long)(buffer.Blocks * unit), (long)(buffer.BlocksFree * unit), (long)(buffer.BlocksAvailable * unit));
    }

    public IDisposable AcquireExclusiveLock(StorePath path)
    {
        var fd = LinuxLibc.Open(path.Full, LinuxLibc.ORdWr | LinuxLibc.OCreat | LinuxLibc.OCloExec | LinuxLibc.ONoFollow, OpenFileMode);
        if (fd < 0)
        {
            throw LinuxErrno.Last("open lock file", path.Relative);
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // flock locks belong to the open file description, so a second open of the same file, in this
        // process or another, conflicts, and the kernel drops the lock when a crashed holder's fd closes.
        if (LinuxLibc.Flock(fd, LinuxLibc.LockExclusive | LinuxLibc.LockNonBlocking) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            handle.Dispose();
            if (errno == LinuxErrno.EAGAIN)
            {
                throw new BackingStoreException(BackingError.Locked, path.Relative, "The lock is held by another process or mount");
            }
            throw LinuxErrno.Exception(errno, "flock", path.Relative);
        }
        _logger.LogDebug("Took the exclusive lock {LockPath}", path.Relative);
        return new HeldLock(handle, path.Relative, _logger);
    }

    private sealed class HeldLock(SafeFileHandle handle, string path, ILogger logger) : IDisposable
    {
        public void Dispose()
        {
            if (!handle.IsClosed)
            {
                handle.Dispose();
                logger.LogDebug("Released the exclusive lock {LockPath}", path);
            }
        }
    }

    /// <summary>lstat that must find a directory; the kernel's errno says whether a name or a parent is wrong.</summary>
    private static unsafe void RequireDirectory(StorePath path)
    {
        byte* statx = stackalloc byte[LinuxLibc.StatxSize];
        if (LinuxLibc.Statx(LinuxLibc.AtFdCwd, path.Full, LinuxLibc.AtSymlinkNoFollow, LinuxLibc.StatxBasicStats, statx) != 0)
        {
            throw LinuxErrno.Last("lstat", path.Relative);
        }
        if (LinuxStat.Kind(LinuxStat.Mode(new ReadOnlySpan<byte>(statx, LinuxLibc.StatxSize))) != BackingEntryKind.Directory)
        {
            throw new BackingStoreException(BackingError.NotADirectory, path.Relative, "Not a directory");
        }
    }

    private bool Exists(StorePath path) => TryGetEntry(path) is not null;

    private bool ParentIsDirectory(StorePath path)
    {
        var parent = BackingPath.Parent(path.Relative);
        var full = parent.Length == 0 ? path.Full[..^(path.Relative.Length + 1)] : path.Full[..^(path.Relative.Length - parent.Length)];
        return TryGetEntry(new StorePath(parent, full))?.Kind == BackingEntryKind.Directory;
    }

    /// <summary>ENODATA means "no such attribute"; anything else is an error (ENOENT included: the file is missing).</summary>
    private static bool LastErrorIsNoData() =>
        System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LinuxErrno.ENODATA;

    private static string XattrName(StorePath path, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0'))
        {
            throw new BackingStoreException(BackingError.NameInvalid, path.Relative, $"Invalid extended attribute name '{name.Replace("\0", "\\0")}'");
        }
        var osName = XattrPrefix + name;
        if (Encoding.UTF8.GetByteCount(osName) > XattrNameMax)
        {
            throw new BackingStoreException(BackingError.NameTooLong, path.Relative, $"Extended attribute name '{name}' is too long");
        }
        return osName;
    }

    private static LinuxLibc.Timespec ToTimespec(DateTime? time)
    {
        if (time is not { } value)
        {
            return new LinuxLibc.Timespec { Seconds = 0, Nanoseconds = LinuxLibc.UtimeOmit };
        }
        var (seconds, nanoseconds) = UnixTime.ToUnix(value);
        return new LinuxLibc.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
    }

    /// <summary>The process umask, from /proc (reading it with umask(2) would change it for other threads).</summary>
    private static uint ReadUmask()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                {
                    return Convert.ToUInt32(line["Umask:".Length..].Trim(), 8);
                }
            }
        }
        catch (IOException)
        {
        }
        // Unknown: assume every bit may be masked, so CreateDirectory always sets the mode explicitly.
        return 0xFFF;
    }
}
