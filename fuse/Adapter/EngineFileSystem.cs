using System.Collections.Concurrent;
using System.Text;
using Layered.Backing;
using Layered.Fsd;

namespace Layered.Fuse.Adapter;

/// <summary>
/// The POSIX adapter: each FUSE call becomes one engine call and an errno. No locking policy, size bookkeeping
/// or crypto here (DESIGN §3): O_APPEND is the engine's Append mode, unlink of an open file is the engine's
/// unlink, rename flags map to engine rename flags. Permission checks are the kernel's (default_permissions) on
/// mounts other users can enter; on the others the backing folder checks what the engine does as the caller's own
/// user, and this adapter adds what it cannot see: access(2), and opens and truncates of a file the engine may
/// already hold open (<see cref="CheckAccess"/>).
/// </summary>
public sealed class EngineFileSystem : IFuseFileSystem
{
    private readonly Volume _volume;
    private readonly ConcurrentDictionary<ulong, OpenFile> _open = new();
    private readonly ConcurrentDictionary<ulong, DirectoryListing> _directories = new();
    private long _nextHandle;
    // Until the host says the kernel checks permissions, the adapter does (a redundant check costs little).
    private bool _checkPermissions = true;

    /// <summary>
    /// What the last create or time change through a handle answered, on this request thread: libfuse's high-level
    /// layer builds the reply of CREATE and SETATTR by calling getattr for the same handle on the same thread right
    /// after a success, before any other request can know the handle or see the change, so that getattr is answered
    /// from here instead of asking the engine (a stat of the backing file) again. Taken by the first getattr.
    /// </summary>
    [ThreadStatic] private static EngineFileSystem? t_justAnsweredBy;
    [ThreadStatic] private static ulong t_justAnsweredHandle;
    [ThreadStatic] private static FileInformation t_justAnsweredInfo;

    private void RememberAnswer(ulong handle, in FileInformation info)
    {
        t_justAnsweredBy = this;
        t_justAnsweredHandle = handle;
        t_justAnsweredInfo = info;
    }

    public EngineFileSystem(Volume volume) => _volume = volume;

    public void Configure(FuseMountOptions options) => _checkPermissions = !options.KernelChecksPermissions;

    /// <summary>
    /// The kernel's default_permissions check of an existing file, made here when the kernel does not make it:
    /// the engine opens backing files with the access it needs and keeps them open across handles, so a second
    /// open of a read-only file for writing would otherwise succeed. 0, -EACCES, or the error of looking the file
    /// up; a missing file passes (the operation itself answers or creates it).
    /// </summary>
    private int CheckAccess(in FuseRequestContext caller, string path, int mask)
    {
        if (!_checkPermissions || (caller.Uid == 0 && (mask & CallerPermissions.Execute) == 0))
            return 0;
        var status = _volume.GetInfo(path, out var info);
        if (status == FsStatus.NotFound)
            return 0;
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        return CallerPermissions.Allows(caller, info, mask, SupplementaryGroups.Of) ? 0 : -Errno.EACCES;
    }

    /// <summary>access(2), faccessat(2) and chdir(2): the kernel sends these only when it does not check itself.</summary>
    public int Access(in FuseRequestContext caller, ReadOnlySpan<byte> path, int mask)
    {
        var status = _volume.GetInfo(PathOf(path), out var info);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        return (mask & 7) == 0 || CallerPermissions.Allows(caller, info, mask & 7, SupplementaryGroups.Of) ? 0 : -Errno.EACCES;
    }

    private sealed class OpenFile(FileHandle handle, bool append)
    {
        public readonly FileHandle Handle = handle;
        public readonly bool Append = append;
    }

    private sealed class DirectoryListing(string path)
    {
        public readonly string Path = path;
        public List<DirectoryEntry>? Snapshot;
    }

    private static string PathOf(ReadOnlySpan<byte> path) => Encoding.UTF8.GetString(path);

    /// <summary>The kernel caches writes (FUSE_WRITEBACK_CACHE was granted at init).</summary>
    private bool _writebackCache;

    /// <summary>The kernel leaves killing set-id bits to the file system (FUSE_HANDLE_KILLPRIV_V2 granted).</summary>
    private bool _killsPrivileges;

    private Action<string>? _invalidateLater;

    public void AttachKernelCache(Action<string> invalidateLater) => _invalidateLater = invalidateLater;

    public void Init(ref FuseConnectionInfo connection)
    {
        _writebackCache = (connection.Want & FuseCapabilities.WritebackCache) != 0;
        _killsPrivileges = (connection.Want & FuseCapabilities.HandleKillprivV2) != 0;
    }

    /// <summary>
    /// Under writeback caching the kernel fills partly written pages by reading through whatever handle wrote
    /// them, write-only ones included, and it places O_APPEND writes at its own end of file (exact, since only
    /// this mount writes the vault). So a write-only open is served read-write and O_APPEND is not the engine's.
    /// </summary>
    private (FileAccess2 Access, bool Append) HandleModeOf(int flags)
    {
        var access = AccessOf(flags);
        bool append = (flags & OpenFlags.Append) != 0;
        if (!_writebackCache)
            return (access, append);
        return (access == FileAccess2.Write ? FileAccess2.ReadWrite : access, false);
    }

    public void Destroy() => _volume.FlushVolume();

    public int GetAttributes(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FileStat stat, ulong? handle)
    {
        FsStatus status;
        FileInformation info;
        if (t_justAnsweredBy is not null)
        {
            bool mine = t_justAnsweredBy == this && handle == t_justAnsweredHandle;
            t_justAnsweredBy = null;
            if (mine)
            {
                Fill(ref stat, t_justAnsweredInfo);
                return 0;
            }
        }
        if (handle is { } h && _open.TryGetValue(h, out var file))
            status = _volume.GetInfo(file.Handle, out info);
        else if (path.Length == 0)
            return -Errno.EBADF; // a handle-only request for a handle already released (never the root's attributes)
        else
            status = _volume.LookUp(PathOf(path), out info);
        if (status == FsStatus.Success)
            Fill(ref stat, info);
        return ErrnoMapping.Result(status);
    }

    internal static void Fill(ref FileStat stat, in FileInformation info)
    {
        uint type = info.Type switch
        {
            NodeType.Directory => FileModes.Directory,
            NodeType.Symlink => FileModes.Symlink,
            _ => FileModes.Regular,
        };
        stat.Inode = info.InodeNumber;
        stat.Mode = type | ((uint)info.Mode & 0xFFF);
        stat.LinkCount = (ulong)Math.Max(1, info.LinkCount);
        stat.Uid = (uint)info.Uid;
        stat.Gid = (uint)info.Gid;
        stat.Size = info.EndOfFile;
        stat.BlockSize = 4096;
        stat.Blocks = (info.AllocationSize + 511) / 512;
        stat.AccessTime = PosixTime.FromDateTime(info.LastAccessUtc);
        stat.ModificationTime = PosixTime.FromDateTime(info.LastWriteUtc);
        stat.ChangeTime = PosixTime.FromDateTime(info.ChangeUtc);
    }

    public int ReadLink(in FuseRequestContext caller, ReadOnlySpan<byte> path, Span<byte> target)
    {
        var status = _volume.ReadSymlink(PathOf(path), out var text);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        // The interop leaves room for the NUL and adds it; a longer target is truncated, as readlink(2) does.
        var bytes = Encoding.UTF8.GetBytes(text);
        int n = Math.Min(bytes.Length, target.Length);
        bytes.AsSpan(0, n).CopyTo(target);
        return n;
    }

    public int MakeDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode) =>
        ErrnoMapping.Result(_volume.CreateDirectory(PathOf(path), (UnixMode)(mode & 0xFFF), (int)caller.Uid, (int)caller.Gid, out _));

    public int Unlink(in FuseRequestContext caller, ReadOnlySpan<byte> path) =>
        ErrnoMapping.Result(_volume.Unlink(PathOf(path)));

    public int RemoveDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path) =>
        ErrnoMapping.Result(_volume.RemoveDirectory(PathOf(path)));

    public int CreateSymbolicLink(in FuseRequestContext caller, ReadOnlySpan<byte> target, ReadOnlySpan<byte> linkPath) =>
        ErrnoMapping.Result(_volume.CreateSymlink(PathOf(linkPath), PathOf(target), (int)caller.Uid, (int)caller.Gid, out _));

    public int Rename(in FuseRequestContext caller, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, RenameFlags flags)
    {
        if ((flags & RenameFlags.Exchange) != 0)
            return -Errno.EINVAL; // RENAME_EXCHANGE is not supported: a clear EINVAL, as rename(2) allows
        var engineFlags = (flags & RenameFlags.NoReplace) != 0 ? Fsd.RenameFlags.None : Fsd.RenameFlags.Replace;
        return ErrnoMapping.Result(_volume.Rename(PathOf(from), PathOf(to), engineFlags));
    }

    public int CreateHardLink(in FuseRequestContext caller, ReadOnlySpan<byte> existingPath, ReadOnlySpan<byte> newPath)
    {
        var status = _volume.Link(PathOf(existingPath), PathOf(newPath), out var info);
        if (status == FsStatus.Success)
            NoteSeveralNames(info); // from now on no name of the file keeps its pages across opens
        return ErrnoMapping.Result(status == FsStatus.AccessDenied ? FsStatus.CannotDelete : status); // link(2) on a directory is EPERM
    }

    public int ChangeMode(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode, ulong? handle) =>
        PathFor(path, handle) is { } target ? ErrnoMapping.Result(_volume.SetMode(target, (UnixMode)(mode & 0xFFF))) : -Errno.EBADF;

    public int ChangeOwner(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint uid, uint gid, ulong? handle)
    {
        if (PathFor(path, handle) is not { } target)
            return -Errno.EBADF;
        // chown kills set-user-ID whoever calls, and set-group-ID as the file's old group decides (Linux's
        // chown_common): decided before, applied only once the change of owner succeeded.
        var status = _volume.GetInfo(target, out var before);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        bool dropSetGid = (before.Mode & UnixMode.SetGid) != 0
            && DropsSetGid(caller, CallerCapabilities.LacksFsetid(caller), before.Mode, before.Gid);
        int changed = ErrnoMapping.Result(_volume.SetOwner(target, uid == uint.MaxValue ? -1 : (int)uid, gid == uint.MaxValue ? -1 : (int)gid));
        if (changed != 0 || (before.Mode & (UnixMode.SetUid | UnixMode.SetGid)) == 0)
            return changed;
        return ErrnoMapping.Result(_volume.ClearSetIdBits(target, (_, _) => dropSetGid));
    }

    /// <summary>
    /// The kernel leaves killing set-user-ID and set-group-ID to the file system (FUSE_HANDLE_KILLPRIV_V2 is
    /// negotiated, <see cref="Interop.KillPrivNegotiation"/>): a write, truncate, fallocate or open with O_TRUNC by a
    /// caller without CAP_FSETID clears them, as the VFS would. For a write the kernel says so itself
    /// (<see cref="FuseRequestContext.KillSetIdBits"/>), and a write it says nothing for costs nothing here;
    /// otherwise the file's mode is looked at first and the caller's capabilities only when a bit is set. Writes the
    /// kernel flushes from its page cache never need it: a write that must clear bits is sent at once, as the writer.
    /// </summary>
    private int KillPrivilegesOnModify(in FuseRequestContext caller, string? path, FileHandle? handle)
    {
        if (!_killsPrivileges || caller.KillSetIdBits == false)
            return 0;
        var status = handle is not null ? _volume.GetInfo(handle, out var info) : _volume.GetInfo(path!, out info);
        if (status != FsStatus.Success || info.IsDirectory || (info.Mode & (UnixMode.SetUid | UnixMode.SetGid)) == 0)
            return 0;
        bool lacksFsetid = CallerCapabilities.LacksFsetid(caller);
        if (!lacksFsetid)
            return 0;
        path ??= _volume.CurrentPath(handle!);
        if (path is null)
            return 0; // unlinked: no name left to find it by, and nobody can execute it any more
        var context = caller;
        int result = ErrnoMapping.Result(_volume.ClearSetIdBits(path, (mode, fileGid) => DropsSetGid(context, lacksFsetid, mode, fileGid)));
        // The kernel keeps the mode it cached (it sent no SETATTR): make it ask again, or an exec within the attribute
        // timeout could still see the bits.
        if (result == 0)
            _invalidateLater?.Invoke(path);
        return result;
    }

    /// <summary>Linux's setattr_should_drop_sgid: set-group-ID goes when the file is group-executable, or when the
    /// caller is neither in the file's group nor holds CAP_FSETID.</summary>
    private static bool DropsSetGid(in FuseRequestContext caller, bool lacksFsetid, UnixMode mode, int fileGid) =>
        (mode & UnixMode.GroupExecute) != 0
        || (lacksFsetid && caller.Gid != (uint)fileGid && !SupplementaryGroups.Of(caller.Pid).Contains((uint)fileGid));

    /// <summary>Path-based calls made on an open handle (f-calls) may come without a path: the file's name now
    /// (it follows renames). Null when the handle is unknown or its file has no name any more.</summary>
    private string? PathFor(ReadOnlySpan<byte> path, ulong? handle)
    {
        if (path.Length != 0)
            return PathOf(path);
        return handle is { } h && _open.TryGetValue(h, out var f) ? _volume.CurrentPath(f.Handle) : null;
    }

    public int Truncate(in FuseRequestContext caller, ReadOnlySpan<byte> path, long size, ulong? handle)
    {
        if (handle is { } h && _open.TryGetValue(h, out var file) && (file.Handle.Access & FileAccess2.Write) != 0)
        {
            int killed = KillPrivilegesOnModify(caller, null, file.Handle);
            return killed != 0 ? killed : ErrnoMapping.Result(_volume.SetFileSize(file.Handle, size));
        }
        if (PathFor(path, handle) is not { } target)
            return -Errno.EBADF;
        int denied = CheckAccess(caller, target, CallerPermissions.Write);
        if (denied != 0)
            return denied;
        denied = KillPrivilegesOnModify(caller, target, null);
        if (denied != 0)
            return denied;
        var status = _volume.Create(target, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Write, NonDirectory = true },
            out var temp, out _, out _);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        try
        {
            return ErrnoMapping.Result(_volume.SetFileSize(temp!, size));
        }
        finally
        {
            _volume.Release(temp!);
        }
    }

    private static FileAccess2 AccessOf(int flags) => (flags & OpenFlags.AccessModeMask) switch
    {
        OpenFlags.WriteOnly => FileAccess2.Write,
        OpenFlags.ReadWrite => FileAccess2.ReadWrite,
        _ => FileAccess2.Read,
    };

    public int Open(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FuseFileInfo file)
    {
        var disposition = (file.Flags & OpenFlags.Truncate) != 0 && AccessOf(file.Flags) != FileAccess2.Read
            ? CreateDisposition.Overwrite : CreateDisposition.Open;
        var (access, append) = HandleModeOf(file.Flags);
        string target = PathOf(path);
        int denied = CheckAccess(caller, target, CallerPermissions.MaskOfOpen(file.Flags));
        if (denied == 0 && disposition == CreateDisposition.Overwrite)
            denied = KillPrivilegesOnModify(caller, target, null);
        if (denied != 0)
            return denied;
        var status = _volume.Create(target, new CreateRequest { Disposition = disposition, Access = access, NonDirectory = true },
            out var handle, out var info, out _);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        // libfuse's path API gives every hard-link name its own kernel inode, and under writeback caching each
        // keeps its own page cache: I/O on a file with several names bypasses the cache, so every name reads
        // what any other wrote (docs/architecture.md, "FUSE host").
        if (_writebackCache && info.LinkCount > 1)
            file.DirectIo = true;
        file.KeepCache = KeepsCache(info);
        file.Handle = Register(handle!, append);
        return 0;
    }

    /// <summary>Files that have had more than one name during this mount (backing inode numbers).</summary>
    private readonly ConcurrentDictionary<ulong, byte> _everLinked = new();

    /// <summary>
    /// Whether the kernel may keep the file's cached pages across this open (FOPEN_KEEP_CACHE) instead of dropping
    /// them, so a file read again is served from the page cache without decrypting it again. Only this mount
    /// writes the vault, and every write to a name goes through that name's kernel inode, so a name's pages are
    /// stale only if the file was written through another name: never kept for a file that has had several
    /// names in this mount, even after the others are gone (its pages may predate a write through one of them).
    /// </summary>
    private bool KeepsCache(in FileInformation info)
    {
        NoteSeveralNames(info);
        return !_everLinked.ContainsKey(info.InodeNumber);
    }

    private void NoteSeveralNames(in FileInformation info)
    {
        if (info.LinkCount > 1)
            _everLinked.TryAdd(info.InodeNumber, 0);
    }

    public int Create(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode, ref FuseFileInfo file)
    {
        var disposition = (file.Flags & OpenFlags.Exclusive) != 0 ? CreateDisposition.Create
            : (file.Flags & OpenFlags.Truncate) != 0 ? CreateDisposition.OverwriteIf : CreateDisposition.OpenIf;
        var (access, append) = HandleModeOf(file.Flags);
        string target = PathOf(path);
        // O_CREAT of a file that exists is an open of it (O_EXCL fails in the engine).
        int denied = disposition == CreateDisposition.Create ? 0 : CheckAccess(caller, target, CallerPermissions.MaskOfOpen(file.Flags));
        if (denied == 0 && disposition == CreateDisposition.OverwriteIf)
            denied = KillPrivilegesOnModify(caller, target, null); // nothing to do when the file is new
        if (denied != 0)
            return denied;
        var status = _volume.Create(target, new CreateRequest
        {
            Disposition = disposition,
            Access = access | FileAccess2.Write,
            NonDirectory = true,
            Mode = (UnixMode)(mode & 0xFFF),
            Uid = (int)caller.Uid,
            Gid = (int)caller.Gid,
        }, out var handle, out var info, out _);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        file.KeepCache = KeepsCache(info);
        file.Handle = Register(handle!, append);
        RememberAnswer(file.Handle, info);
        return 0;
    }

    private ulong Register(FileHandle handle, bool append)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextHandle);
        _open[id] = new OpenFile(handle, append);
        return id;
    }

    public int Read(in FuseRequestContext caller, Span<byte> buffer, long offset, ref FuseFileInfo file)
    {
        if (!_open.TryGetValue(file.Handle, out var f))
            return -Errno.EBADF;
        var status = _volume.Read(f.Handle, offset, buffer, out int n);
        return status == FsStatus.Success ? n : ErrnoMapping.Result(status);
    }

    public int Write(in FuseRequestContext caller, ReadOnlySpan<byte> data, long offset, ref FuseFileInfo file)
    {
        if (!_open.TryGetValue(file.Handle, out var f))
            return -Errno.EBADF;
        int killed = KillPrivilegesOnModify(caller, null, f.Handle);
        if (killed != 0)
            return killed;
        var status = _volume.Write(f.Handle, offset, data, f.Append ? WriteMode.Append : WriteMode.AtOffset, out int n, out _);
        return status == FsStatus.Success ? n : ErrnoMapping.Result(status);
    }

    public int GetFileSystemStatistics(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FileSystemStatistics statistics)
    {
        var s = _volume.GetStatistics();
        const ulong block = 4096;
        statistics.BlockSize = block;
        statistics.FragmentSize = block;
        statistics.Blocks = (ulong)s.TotalBytes / block;
        statistics.BlocksFree = (ulong)s.FreeBytes / block;
        statistics.BlocksAvailable = (ulong)s.AvailableBytes / block;
        statistics.MaxNameLength = (ulong)s.MaxNameLength;
        return 0;
    }

    public int Release(in FuseRequestContext caller, ref FuseFileInfo file)
    {
        if (_open.TryRemove(file.Handle, out var f))
            _volume.Release(f.Handle);
        return 0;
    }

    public int Synchronize(in FuseRequestContext caller, bool dataOnly, ref FuseFileInfo file) =>
        _open.TryGetValue(file.Handle, out var f) ? ErrnoMapping.Result(_volume.Flush(f.Handle)) : -Errno.EBADF;

    /// <summary>Only the user namespace is stored; system.* (ACLs), security.* and trusted.* are not supported,
    /// so tools fall back (cp -a preserves modes with chmod when ACLs are unsupported).</summary>
    private static bool IsUserNamespace(ReadOnlySpan<byte> name) => name.StartsWith("user."u8);

    public int SetExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, XattrFlags flags) =>
        !IsUserNamespace(name) ? -Errno.EOPNOTSUPP : ErrnoMapping.Result(_volume.SetXattr(PathOf(path), PathOf(name), value,
            mustExist: (flags & XattrFlags.Replace) != 0, mustNotExist: (flags & XattrFlags.Create) != 0));

    public int GetExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name, Span<byte> value)
    {
        if (!IsUserNamespace(name))
            return -Errno.ENODATA;
        var status = _volume.GetXattr(PathOf(path), PathOf(name), out var bytes);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        if (value.Length == 0)
            return bytes!.Length;
        if (value.Length < bytes!.Length)
            return -Errno.ERANGE;
        bytes.CopyTo(value);
        return bytes.Length;
    }

    public int ListExtendedAttributes(in FuseRequestContext caller, ReadOnlySpan<byte> path, Span<byte> names)
    {
        var status = _volume.ListXattrs(PathOf(path), out var list);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        int needed = 0;
        foreach (var n in list)
            needed += Encoding.UTF8.GetByteCount(n) + 1;
        if (names.Length == 0)
            return needed;
        if (names.Length < needed)
            return -Errno.ERANGE;
        int at = 0;
        foreach (var n in list)
        {
            at += Encoding.UTF8.GetBytes(n, names[at..]);
            names[at++] = 0;
        }
        return needed;
    }

    public int RemoveExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name) =>
        !IsUserNamespace(name) ? -Errno.ENODATA : ErrnoMapping.Result(_volume.RemoveXattr(PathOf(path), PathOf(name)));

    public int OpenDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FuseFileInfo directory)
    {
        var p = PathOf(path);
        var status = _volume.GetInfo(p, out var info);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        if (!info.IsDirectory)
            return -Errno.ENOTDIR;
        ulong id = (ulong)Interlocked.Increment(ref _nextHandle);
        _directories[id] = new DirectoryListing(p);
        directory.Handle = id;
        return 0;
    }

    /// <summary>Offsets are positions in the listing taken when it is first read from offset 0 (the engine
    /// lists in a stable order), so a listing spread over several calls never repeats or skips a name.</summary>
    public int ReadDirectory(in FuseRequestContext caller, DirectoryFiller filler, long offset, ref FuseFileInfo directory)
    {
        if (!_directories.TryGetValue(directory.Handle, out var d))
            return -Errno.EBADF;
        if (offset == 0 || d.Snapshot is null)
        {
            var list = new List<DirectoryEntry>();
            var status = _volume.ReadDirectory(d.Path, null, int.MaxValue, filler.WantsFullAttributes, list);
            if (status != FsStatus.Success)
                return ErrnoMapping.Result(status);
            d.Snapshot = list;
        }
        var entries = d.Snapshot;
        // Offsets 1 and 2 are "." and ".."; entry i has offset i + 3.
        if (offset < 1 && !filler.TryAdd("."u8, 0, FileModes.Directory, 1)) return 0;
        if (offset < 2 && !filler.TryAdd(".."u8, 0, FileModes.Directory, 2)) return 0;
        Span<byte> name = stackalloc byte[1024];
        for (long i = Math.Max(0, offset - 2); i < entries.Count; i++)
        {
            var e = entries[(int)i];
            int len = Encoding.UTF8.GetBytes(e.Name, name);
            var stat = default(FileStat);
            Fill(ref stat, e.Info);
            if (!filler.TryAdd(name[..len], stat, i + 3))
                break;
        }
        return 0;
    }

    public int ReleaseDirectory(in FuseRequestContext caller, ref FuseFileInfo directory)
    {
        _directories.TryRemove(directory.Handle, out _);
        return 0;
    }

    public int SynchronizeDirectory(in FuseRequestContext caller, bool dataOnly, ref FuseFileInfo directory)
    {
        if (!_directories.TryGetValue(directory.Handle, out var d))
            return -Errno.EBADF;
        var status = _volume.Create(d.Path, new CreateRequest { Disposition = CreateDisposition.Open, Directory = true, Access = FileAccess2.Read }, out var h, out _, out _);
        if (status != FsStatus.Success)
            return ErrnoMapping.Result(status);
        try
        {
            return ErrnoMapping.Result(_volume.Flush(h!));
        }
        finally
        {
            _volume.Release(h!);
        }
    }

    public int SetTimes(in FuseRequestContext caller, ReadOnlySpan<byte> path, PosixTime accessTime, PosixTime modificationTime, ulong? handle)
    {
        static DateTime? Convert(PosixTime t) => t.IsOmit ? null : t.IsNow ? DateTime.UtcNow : t.ToDateTime();
        // Through a handle (the times writeback caching sends at close, futimens): the file under its name now,
        // which a rename since the open may have changed and another file may have taken the old one of.
        if (path.Length == 0 && handle is { } h)
        {
            if (!_open.TryGetValue(h, out var f))
                return -Errno.EBADF;
            var status = _volume.SetBasicInfo(f.Handle,
                new BasicInfoChange(LastAccessUtc: Convert(accessTime), LastWriteUtc: Convert(modificationTime)), out var info);
            if (status == FsStatus.Success)
                RememberAnswer(h, info);
            return ErrnoMapping.Result(status);
        }
        return ErrnoMapping.Result(_volume.SetTimes(PathOf(path), Convert(accessTime), Convert(modificationTime)));
    }

    /// <summary>fallocate mode 0 (allocate, extending the size) is a size change; other modes are not supported.</summary>
    public int Allocate(in FuseRequestContext caller, int mode, long offset, long length, ref FuseFileInfo file)
    {
        if (mode != 0)
            return -Errno.EOPNOTSUPP;
        if (!_open.TryGetValue(file.Handle, out var f))
            return -Errno.EBADF;
        // Like a write: the kernel leaves clearing set-id bits to the file system (KILLPRIV_V2).
        int killed = KillPrivilegesOnModify(caller, null, f.Handle);
        if (killed != 0)
            return killed;
        if (_volume.GetInfo(f.Handle, out var info) is var s && s != FsStatus.Success)
            return ErrnoMapping.Result(s);
        return offset + length > info.EndOfFile ? ErrnoMapping.Result(_volume.SetFileSize(f.Handle, offset + length)) : 0;
    }
}
