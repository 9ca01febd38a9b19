using System.Text;

namespace Layered.Fuse.Tests;

/// <summary>
/// Test-only in-memory file system behind the real FUSE interop: it exists to prove the host
/// (native layouts, callbacks, loop, shutdown), not to be a product. One lock guards everything.
/// It records what the interop delivered (largest read and write, init and destroy calls) and
/// has two failure switches: a file named "enospc" refuses writes with ENOSPC, and stat of a
/// name starting with "throw" throws.
/// </summary>
internal sealed class MemoryFileSystem : IFuseFileSystem
{
    private readonly object _lock = new();
    private readonly Dictionary<ulong, Node> _handles = [];
    private readonly Node _root;
    private ulong _nextInode = 1;
    private ulong _nextHandle = 1;
    private int _largestWrite;
    private int _largestRead;
    private int _pageWrites;

    public MemoryFileSystem()
    {
        _root = NewNode(FileModes.Directory | 0x1ED, 0, 0); // 0755
        _root.LinkCount = 2;
    }

    public HostPathProbe Probe { get; } = new();

    public int LargestWrite => Volatile.Read(ref _largestWrite);

    /// <summary>Writes flagged by libfuse as page-cache writeback (mmap).</summary>
    public int PageWrites => Volatile.Read(ref _pageWrites);

    public int LargestRead => Volatile.Read(ref _largestRead);

    public int InitCalls { get; private set; }

    public int DestroyCalls { get; private set; }

    public FuseConnectionInfo Connection { get; private set; }

    public int OpenHandles
    {
        get
        {
            lock (_lock)
            {
                return _handles.Count;
            }
        }
    }

    /// <summary>Answer FLUSH as a file system that does not implement it (the interface's default, -ENOSYS).</summary>
    public bool WithoutFlush { get; set; }

    private int _flushCalls;

    public int FlushCalls => Volatile.Read(ref _flushCalls);

    /// <summary>Makes Init throw, to test a file system that cannot start.</summary>
    public bool FailInit { get; init; }

    public void Init(ref FuseConnectionInfo connection)
    {
        InitCalls++;
        if (FailInit)
        {
            throw new InvalidOperationException("injected init failure");
        }

        Connection = connection;
    }

    public void Destroy() => DestroyCalls++;

    public int GetAttributes(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FileStat stat, ulong? handle)
    {
        HostPathProbe.BreakChain();
        string name = Encoding.UTF8.GetString(path);
        if (Path.GetFileName(name).StartsWith("throw", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("injected failure for " + name);
        }

        lock (_lock)
        {
            Node? node = handle is { } h ? _handles.GetValueOrDefault(h) : Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            stat = node.ToStat();
            return 0;
        }
    }

    public int ReadLink(in FuseRequestContext caller, ReadOnlySpan<byte> path, Span<byte> target)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node? node = Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            if (node.LinkTarget is null)
            {
                return -Errno.EINVAL;
            }

            int length = Math.Min(node.LinkTarget.Length, target.Length);
            node.LinkTarget.AsSpan(0, length).CopyTo(target);
            return length;
        }
    }

    public int MakeDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            int result = AddEntry(path, NewNode(FileModes.Directory | (mode & FileModes.PermissionMask), caller.Uid, caller.Gid), out Node? parent);
            if (result == 0)
            {
                parent!.LinkCount++;
            }

            return result;
        }
    }

    public int Unlink(in FuseRequestContext caller, ReadOnlySpan<byte> path)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            (Node? parent, string name) = ResolveParent(path);
            if (parent?.Children is null || !parent.Children.TryGetValue(name, out Node? node))
            {
                return -Errno.ENOENT;
            }

            if (node.IsDirectory)
            {
                return -Errno.EISDIR;
            }

            parent.Children.Remove(name);
            node.LinkCount--;
            node.ChangeTime = PosixTime.Now();
            return 0;
        }
    }

    public int RemoveDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            (Node? parent, string name) = ResolveParent(path);
            if (parent?.Children is null || !parent.Children.TryGetValue(name, out Node? node))
            {
                return -Errno.ENOENT;
            }

            if (!node.IsDirectory)
            {
                return -Errno.ENOTDIR;
            }

            if (node.Children!.Count > 0)
            {
                return -Errno.ENOTEMPTY;
            }

            parent.Children.Remove(name);
            parent.LinkCount--;
            return 0;
        }
    }

    public int CreateSymbolicLink(in FuseRequestContext caller, ReadOnlySpan<byte> target, ReadOnlySpan<byte> linkPath)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node link = NewNode(FileModes.Symlink | 0x1FF, caller.Uid, caller.Gid);
            link.LinkTarget = target.ToArray();
            link.Size = target.Length;
            return AddEntry(linkPath, link, out _);
        }
    }

    public int Rename(in FuseRequestContext caller, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, RenameFlags flags)
    {
        HostPathProbe.BreakChain();
        if ((flags & ~(RenameFlags.NoReplace | RenameFlags.Exchange)) != 0 || flags == (RenameFlags.NoReplace | RenameFlags.Exchange))
        {
            return -Errno.EINVAL;
        }

        lock (_lock)
        {
            (Node? sourceParent, string sourceName) = ResolveParent(from);
            (Node? targetParent, string targetName) = ResolveParent(to);
            if (sourceParent?.Children is null || targetParent?.Children is null || !sourceParent.Children.TryGetValue(sourceName, out Node? source))
            {
                return -Errno.ENOENT;
            }

            targetParent.Children.TryGetValue(targetName, out Node? target);
            if (flags == RenameFlags.Exchange)
            {
                if (target is null)
                {
                    return -Errno.ENOENT;
                }

                sourceParent.Children[sourceName] = target;
                targetParent.Children[targetName] = source;
                return 0;
            }

            if (target is not null)
            {
                if (flags == RenameFlags.NoReplace)
                {
                    return -Errno.EEXIST;
                }

                if (ReferenceEquals(target, source))
                {
                    return 0;
                }

                if (target.IsDirectory && !source.IsDirectory)
                {
                    return -Errno.EISDIR;
                }

                if (!target.IsDirectory && source.IsDirectory)
                {
                    return -Errno.ENOTDIR;
                }

                if (target.IsDirectory && target.Children!.Count > 0)
                {
                    return -Errno.ENOTEMPTY;
                }

                target.LinkCount--;
            }

            sourceParent.Children.Remove(sourceName);
            targetParent.Children[targetName] = source;
            source.ChangeTime = PosixTime.Now();
            return 0;
        }
    }

    public int CreateHardLink(in FuseRequestContext caller, ReadOnlySpan<byte> existingPath, ReadOnlySpan<byte> newPath)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node? node = Resolve(existingPath);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            if (node.IsDirectory)
            {
                return -Errno.EPERM;
            }

            int result = AddEntry(newPath, node, out _);
            if (result == 0)
            {
                node.LinkCount++;
                node.ChangeTime = PosixTime.Now();
            }

            return result;
        }
    }

    public int ChangeMode(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode, ulong? handle) =>
        Update(path, handle, node => node.Mode = (node.Mode & FileModes.TypeMask) | (mode & FileModes.PermissionMask));

    public int ChangeOwner(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint uid, uint gid, ulong? handle) =>
        Update(path, handle, node =>
        {
            if (uid != uint.MaxValue)
            {
                node.Uid = uid;
            }

            if (gid != uint.MaxValue)
            {
                node.Gid = gid;
            }
        });

    public int Truncate(in FuseRequestContext caller, ReadOnlySpan<byte> path, long size, ulong? handle) =>
        Update(path, handle, node =>
        {
            node.Resize(size);
            node.ModificationTime = PosixTime.Now();
        });

    public int Open(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FuseFileInfo file)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node? node = Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            if (node.IsDirectory && file.AccessMode != OpenFlags.ReadOnly)
            {
                return -Errno.EISDIR;
            }

            file.Handle = AddHandle(node);
            return 0;
        }
    }

    public int Create(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode, ref FuseFileInfo file)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node node = NewNode(FileModes.Regular | (mode & FileModes.PermissionMask), caller.Uid, caller.Gid);
            int result = AddEntry(path, node, out _);
            if (result == 0)
            {
                file.Handle = AddHandle(node);
            }

            return result;
        }
    }

    public int Read(in FuseRequestContext caller, Span<byte> buffer, long offset, ref FuseFileInfo file)
    {
        Probe.EnterHotPath();
        try
        {
            return ReadCore(buffer, offset, file.Handle);
        }
        finally
        {
            Probe.ExitHotPath();
        }
    }

    private int ReadCore(Span<byte> buffer, long offset, ulong handle)
    {
        RecordMax(ref _largestRead, buffer.Length);
        lock (_lock)
        {
            if (!_handles.TryGetValue(handle, out Node? node))
            {
                return -Errno.EBADF;
            }

            if (offset >= node.Size)
            {
                return 0;
            }

            int count = (int)Math.Min(buffer.Length, node.Size - offset);
            node.Data.AsSpan((int)offset, count).CopyTo(buffer);
            return count;
        }
    }

    public int Write(in FuseRequestContext caller, ReadOnlySpan<byte> data, long offset, ref FuseFileInfo file)
    {
        Probe.EnterHotPath();
        try
        {
            return WriteCore(data, offset, file);
        }
        finally
        {
            Probe.ExitHotPath();
        }
    }

    private int WriteCore(ReadOnlySpan<byte> data, long offset, in FuseFileInfo file)
    {
        RecordMax(ref _largestWrite, data.Length);
        if (file.WritePage)
        {
            Interlocked.Increment(ref _pageWrites);
        }

        lock (_lock)
        {
            if (!_handles.TryGetValue(file.Handle, out Node? node))
            {
                return -Errno.EBADF;
            }

            if (node.Name == "enospc")
            {
                return -Errno.ENOSPC;
            }

            long start = file.IsAppend ? node.Size : offset;
            if (start + data.Length > node.Size)
            {
                node.Resize(start + data.Length);
            }

            data.CopyTo(node.Data.AsSpan((int)start));
            node.ModificationTime = PosixTime.Now();
            return data.Length;
        }
    }

    public int GetFileSystemStatistics(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FileSystemStatistics statistics)
    {
        HostPathProbe.BreakChain();
        statistics.BlockSize = 4096;
        statistics.FragmentSize = 4096;
        statistics.Blocks = 1_000_000;
        statistics.BlocksFree = 750_000;
        statistics.BlocksAvailable = 700_000;
        statistics.Files = 50_000;
        statistics.FilesFree = 40_000;
        statistics.FilesAvailable = 40_000;
        statistics.MaxNameLength = 255;
        return 0;
    }

    public int Flush(in FuseRequestContext caller, ref FuseFileInfo file)
    {
        HostPathProbe.BreakChain();
        Interlocked.Increment(ref _flushCalls);
        return WithoutFlush ? -Errno.ENOSYS : 0;
    }

    public int Release(in FuseRequestContext caller, ref FuseFileInfo file)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            _handles.Remove(file.Handle);
            return 0;
        }
    }

    public int Synchronize(in FuseRequestContext caller, bool dataOnly, ref FuseFileInfo file)
    {
        HostPathProbe.BreakChain();
        return 0;
    }

    public int SetExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, XattrFlags flags)
    {
        HostPathProbe.BreakChain();
        string key = Encoding.UTF8.GetString(name);
        byte[] copy = value.ToArray();
        lock (_lock)
        {
            Node? node = Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            bool exists = node.Xattrs.ContainsKey(key);
            if (flags.HasFlag(XattrFlags.Create) && exists)
            {
                return -Errno.EEXIST;
            }

            if (flags.HasFlag(XattrFlags.Replace) && !exists)
            {
                return -Errno.ENODATA;
            }

            node.Xattrs[key] = copy;
            return 0;
        }
    }

    private int _extendedAttributeReads;

    /// <summary>How many GETXATTR requests arrived.</summary>
    public int ExtendedAttributeReads => Volatile.Read(ref _extendedAttributeReads);

    public int GetExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name, Span<byte> value)
    {
        HostPathProbe.BreakChain();
        Interlocked.Increment(ref _extendedAttributeReads);
        string key = Encoding.UTF8.GetString(name);
        lock (_lock)
        {
            Node? node = Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            if (!node.Xattrs.TryGetValue(key, out byte[]? stored))
            {
                return -Errno.ENODATA;
            }

            return CopyOut(stored, value);
        }
    }

    public int ListExtendedAttributes(in FuseRequestContext caller, ReadOnlySpan<byte> path, Span<byte> names)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node? node = Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            byte[] list = Encoding.UTF8.GetBytes(string.Concat(node.Xattrs.Keys.Select(k => k + "\0")));
            return CopyOut(list, names);
        }
    }

    public int RemoveExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name)
    {
        HostPathProbe.BreakChain();
        string key = Encoding.UTF8.GetString(name);
        lock (_lock)
        {
            Node? node = Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            return node.Xattrs.Remove(key) ? 0 : -Errno.ENODATA;
        }
    }

    public int OpenDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FuseFileInfo directory)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node? node = Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            if (!node.IsDirectory)
            {
                return -Errno.ENOTDIR;
            }

            directory.Handle = AddHandle(node);
            return 0;
        }
    }

    public int ReadDirectory(in FuseRequestContext caller, DirectoryFiller filler, long offset, ref FuseFileInfo directory)
    {
        HostPathProbe.BreakChain();
        List<(string Name, FileStat Stat)> entries;
        lock (_lock)
        {
            if (!_handles.TryGetValue(directory.Handle, out Node? node) || node.Children is null)
            {
                return -Errno.EBADF;
            }

            entries = [(".", node.ToStat()), ("..", node.ToStat())];
            entries.AddRange(node.Children.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value.ToStat())));
        }

        // Offsets are entry indexes + 1, so the kernel can resume a long listing in several calls.
        for (int index = (int)offset; index < entries.Count; index++)
        {
            if (!filler.TryAdd(Encoding.UTF8.GetBytes(entries[index].Name), entries[index].Stat, index + 1))
            {
                break;
            }
        }

        return 0;
    }

    public int ReleaseDirectory(in FuseRequestContext caller, ref FuseFileInfo directory) => Release(caller, ref directory);

    public int SynchronizeDirectory(in FuseRequestContext caller, bool dataOnly, ref FuseFileInfo directory) => 0;

    public int SetTimes(in FuseRequestContext caller, ReadOnlySpan<byte> path, PosixTime accessTime, PosixTime modificationTime, ulong? handle) =>
        Update(path, handle, node =>
        {
            if (!accessTime.IsOmit)
            {
                node.AccessTime = accessTime.IsNow ? PosixTime.Now() : accessTime;
            }

            if (!modificationTime.IsOmit)
            {
                node.ModificationTime = modificationTime.IsNow ? PosixTime.Now() : modificationTime;
            }
        });

    public int Allocate(in FuseRequestContext caller, int mode, long offset, long length, ref FuseFileInfo file)
    {
        HostPathProbe.BreakChain();
        if (mode != 0)
        {
            return -Errno.EOPNOTSUPP;
        }

        lock (_lock)
        {
            if (!_handles.TryGetValue(file.Handle, out Node? node))
            {
                return -Errno.EBADF;
            }

            if (offset + length > node.Size)
            {
                node.Resize(offset + length);
            }

            return 0;
        }
    }

    private static int CopyOut(byte[] source, Span<byte> destination)
    {
        if (destination.Length == 0)
        {
            return source.Length;
        }

        if (destination.Length < source.Length)
        {
            return -Errno.ERANGE;
        }

        source.CopyTo(destination);
        return source.Length;
    }

    private static void RecordMax(ref int field, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref field)) && Interlocked.CompareExchange(ref field, value, current) != current)
        {
        }
    }

    private int Update(ReadOnlySpan<byte> path, ulong? handle, Action<Node> change)
    {
        HostPathProbe.BreakChain();
        lock (_lock)
        {
            Node? node = handle is { } h ? _handles.GetValueOrDefault(h) : Resolve(path);
            if (node is null)
            {
                return -Errno.ENOENT;
            }

            change(node);
            node.ChangeTime = PosixTime.Now();
            return 0;
        }
    }

    private ulong AddHandle(Node node)
    {
        ulong handle = _nextHandle++;
        _handles[handle] = node;
        return handle;
    }

    private Node NewNode(uint mode, uint uid, uint gid)
    {
        PosixTime now = PosixTime.Now();
        return new Node
        {
            Inode = _nextInode++,
            Mode = mode,
            Uid = uid,
            Gid = gid,
            LinkCount = 1,
            Children = (mode & FileModes.TypeMask) == FileModes.Directory ? new Dictionary<string, Node>(StringComparer.Ordinal) : null,
            AccessTime = now,
            ModificationTime = now,
            ChangeTime = now,
        };
    }

    private int AddEntry(ReadOnlySpan<byte> path, Node node, out Node? parent)
    {
        (parent, string name) = ResolveParent(path);
        if (parent?.Children is null)
        {
            return -Errno.ENOENT;
        }

        if (!parent.Children.TryAdd(name, node))
        {
            return -Errno.EEXIST;
        }

        node.Name ??= name;
        parent.ModificationTime = PosixTime.Now();
        return 0;
    }

    private Node? Resolve(ReadOnlySpan<byte> path)
    {
        Node node = _root;
        foreach (string part in Encoding.UTF8.GetString(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node.Children is null || !node.Children.TryGetValue(part, out Node? child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private (Node? Parent, string Name) ResolveParent(ReadOnlySpan<byte> path)
    {
        string text = Encoding.UTF8.GetString(path);
        int slash = text.LastIndexOf('/');
        return (Resolve(Encoding.UTF8.GetBytes(text[..Math.Max(slash, 0)])), text[(slash + 1)..]);
    }

    private sealed class Node
    {
        public ulong Inode;
        public uint Mode;
        public uint Uid;
        public uint Gid;
        public ulong LinkCount;
        public long Size;
        public byte[] Data = [];
        public Dictionary<string, Node>? Children;
        public byte[]? LinkTarget;
        public string? Name;
        public Dictionary<string, byte[]> Xattrs = new(StringComparer.Ordinal);
        public PosixTime AccessTime;
        public PosixTime ModificationTime;
        public PosixTime ChangeTime;

        public bool IsDirectory => Children is not null;

        public void Resize(long size)
        {
            if (size > Data.Length)
            {
                Array.Resize(ref Data, (int)Math.Max(size, Math.Min(2L * Data.Length, int.MaxValue / 2)));
            }
            else if (size < Size)
            {
                Array.Clear(Data, (int)size, (int)(Size - size));
            }

            Size = size;
        }

        public FileStat ToStat() => new()
        {
            Inode = Inode,
            Mode = Mode,
            LinkCount = LinkCount,
            Uid = Uid,
            Gid = Gid,
            Size = Size,
            BlockSize = 4096,
            Blocks = (Size + 511) / 512,
            AccessTime = AccessTime,
            ModificationTime = ModificationTime,
            ChangeTime = ChangeTime,
        };
    }
}
