using System.Text;
using Layered.Backing.Memory;

namespace Layered.Backing;

/// <summary>
/// A backing store held in memory with the same semantics as <see cref="DirectoryBackingStore"/> on
/// Linux/ext4: inodes, hard links and link counts, unlink of an open file (its handles keep working),
/// POSIX rename rules, modes, owners, times, xattrs, an exclusive lock, a capacity, and configurable
/// name rules. One store-wide lock (plain Monitor, no timers, threads, async or sleeps) guards all
/// state, so a systematic scheduler such as Coyote can explore interleavings of calls.
/// It also tracks what is durable, so <see cref="CloneDurableState"/> can show what a power cut leaves;
/// see that method for the model.
/// Times: creation sets all three; data changes set write and change time (of the file, and of a
/// directory when its names change); attribute changes set change time; reads never touch access time.
/// </summary>
public sealed partial class InMemoryBackingStore : IBackingStore
{
    private const ulong RootInode = 1;
    private const string XattrNamespacePrefix = "user."; // counted in the name limit, as on Linux
    private const int XattrNameMax = 255;

    private readonly object _gate = new();
    private readonly InMemoryStoreOptions _options;
    private readonly MemoryDirectory _root;
    private ulong _nextInode = RootInode + 1;
    private long _usedBytes;

    public InMemoryBackingStore()
        : this(new InMemoryStoreOptions())
    {
    }

    public InMemoryBackingStore(InMemoryStoreOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _root = new MemoryDirectory(RootInode, NewAttributes(UnixMode.DefaultDirectory));
        _root.Links = 1;
    }

    public string Location => "memory";

    public InMemoryStoreOptions Options => _options;

    public BackingEntry? TryGetEntry(string path)
    {
        lock (_gate)
        {
            CheckPath(path);
            return TryWalk(path) is { } node ? node.ToEntry(BackingPath.Name(path)) : null;
        }
    }

    public IReadOnlyList<BackingEntry> ListDirectory(string path)
    {
        lock (_gate)
        {
            CheckPath(path);
            var directory = WalkDirectory(path);
            return directory.Children.Select(c => c.Value.ToEntry(c.Key)).ToList();
        }
    }

    public IBackingFile OpenFile(string path, BackingOpenMode mode)
    {
        lock (_gate)
        {
            CheckPath(path);
            if (path.Length == 0)
            {
                throw new BackingStoreException(BackingError.IsADirectory, path, "The store root is a directory");
            }
            MemoryFile file;
            if (mode == BackingOpenMode.CreateNew)
            {
                var (parent, name) = WalkParent(path);
                if (parent.Children.ContainsKey(name))
                {
                    throw new BackingStoreException(BackingError.AlreadyExists, path, "open (create new) failed: the name exists");
                }
                file = new MemoryFile(_nextInode++, NewAttributes(UnixMode.DefaultFile));
                AddChild(parent, name, file);
            }
            else if (mode is BackingOpenMode.OpenRead or BackingOpenMode.OpenReadWrite)
            {
                file = Walk(path) switch
                {
                    MemoryFile f => f,
                    MemoryDirectory => throw new BackingStoreException(BackingError.IsADirectory, path, "Cannot open a directory as a file"),
                    _ => throw new BackingStoreException(BackingError.NotSupported, path, "Not a regular file"),
                };
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown open mode");
            }
            file.OpenHandles++;
            return new InMemoryBackingFile(this, file, path, writable: mode != BackingOpenMode.OpenRead);
        }
    }

    public void CreateDirectory(string path, UnixMode mode = UnixMode.DefaultDirectory)
    {
        lock (_gate)
        {
            CheckPath(path);
            if (path.Length == 0)
            {
                throw new BackingStoreException(BackingError.AlreadyExists, path, "The store root already exists");
            }
            var (parent, name) = WalkParent(path);
            if (parent.Children.ContainsKey(name))
            {
                throw new BackingStoreException(BackingError.AlreadyExists, path, "mkdir failed: the name exists");
            }
            AddChild(parent, name, new MemoryDirectory(_nextInode++, NewAttributes(mode & UnixMode.PermissionMask)));
        }
    }

    public void DeleteFile(string path)
    {
        lock (_gate)
        {
            CheckPath(path);
            BackingPath.ValidateNotRoot(path, "delete");
            var (parent, name) = WalkParent(path);
            var node = Child(parent, name, path);
            if (node is MemoryDirectory)
            {
                throw new BackingStoreException(BackingError.IsADirectory, path, "unlink failed: it is a directory");
            }
            RemoveChild(parent, name);
        }
    }

    public void DeleteDirectory(string path)
    {
        lock (_gate)
        {
            CheckPath(path);
            BackingPath.ValidateNotRoot(path, "delete");
            var (parent, name) = WalkParent(path);
            var node = Child(parent, name, path);
            if (node is not MemoryDirectory directory)
            {
                throw new BackingStoreException(BackingError.NotADirectory, path, "rmdir failed: not a directory");
            }
            if (directory.Children.Count > 0)
            {
                throw new BackingStoreException(BackingError.NotEmpty, path, "rmdir failed: the directory is not empty");
            }
            RemoveChild(parent, name);
        }
    }

    public void Rename(string from, string to, bool replace)
    {
        lock (_gate)
        {
            CheckPath(from);
            CheckPath(to);
            BackingPath.ValidateNotRoot(from, "rename");
            BackingPath.ValidateNotRoot(to, "rename onto");
            if (from != to && BackingPath.IsSameOrBelow(to, from))
            {
                throw new BackingStoreException(BackingError.NameInvalid, to, $"Cannot move '{from}' into itself");
            }
            // Lookups in the kernel's order, naming the path the directory store names for each errno.
            var (fromParent, fromName) = WalkParent(from);
            fromParent.Children.TryGetValue(fromName, out var sourceOrNull);
            MemoryDirectory toParent;
            string toName;
            try
            {
                (toParent, toName) = WalkParent(to);
            }
            catch (BackingStoreException e) when (e.Error == BackingError.NotFound && sourceOrNull is null)
            {
                throw new BackingStoreException(BackingError.NotFound, from, "No such file or directory", e);
            }
            var source = sourceOrNull ?? throw new BackingStoreException(BackingError.NotFound, from, "No such file or directory");
            if (toParent.Children.TryGetValue(toName, out var target))
            {
                var message = $"Rename of '{from}' to '{to}' failed";
                if (!replace)
                {
                    throw new BackingStoreException(BackingError.AlreadyExists, to, message + ": the target exists");
                }
                if (BackingPath.IsSameOrBelow(from, to) && from != to)
                {
                    throw new BackingStoreException(BackingError.NotEmpty, to, message + ": the target is an ancestor of the source");
                }
                if (ReferenceEquals(source, target))
                {
                    return; // POSIX: both names refer to the same file; nothing happens
                }
                switch (source, target)
                {
                    case (MemoryDirectory, MemoryDirectory { Children.Count: > 0 }):
                        throw new BackingStoreException(BackingError.NotEmpty, to, message + ": the target directory is not empty");
                    case (MemoryDirectory, not MemoryDirectory):
                        throw new BackingStoreException(BackingError.NotADirectory, to, message + ": the target is not a directory");
                    case (not MemoryDirectory, MemoryDirectory):
                        throw new BackingStoreException(BackingError.IsADirectory, to, message + ": the target is a directory");
                }
                RemoveChild(toParent, toName);
            }
            fromParent.Children.Remove(fromName);
            toParent.Children[toName] = source;
            var now = _options.Clock();
            Touch(fromParent, now);
            Touch(toParent, now);
            source.Attributes.ChangeUtc = now;
        }
    }

    public void CreateHardLink(string existing, string newPath)
    {
        lock (_gate)
        {
            CheckPath(existing);
            CheckPath(newPath);
            BackingPath.ValidateNotRoot(existing, "link");
            BackingPath.ValidateNotRoot(newPath, "link onto");
            var node = Walk(existing);
            var (parent, name) = WalkParent(newPath);
            if (parent.Children.ContainsKey(name))
            {
                throw new BackingStoreException(BackingError.AlreadyExists, newPath, $"Link of '{existing}' failed: the name exists");
            }
            if (node is MemoryDirectory)
            {
                throw new BackingStoreException(BackingError.IsADirectory, existing, "Cannot hard-link a directory");
            }
            AddChild(parent, name, node);
            node.Attributes.ChangeUtc = _options.Clock();
        }
    }

    public void SetMode(string path, UnixMode mode)
    {
        lock (_gate)
        {
            CheckPath(path);
            var node = Walk(path);
            node.Attributes.Mode = mode & UnixMode.PermissionMask;
            node.Attributes.ChangeUtc = _options.Clock();
        }
    }

    public void SetOwner(string path, int uid, int gid)
    {
        lock (_gate)
        {
            CheckPath(path);
            var node = Walk(path);
            if (uid != -1)
            {
                node.Attributes.Uid = uid;
            }
            if (gid != -1)
            {
                node.Attributes.Gid = gid;
            }
            node.Attributes.ChangeUtc = _options.Clock();
        }
    }

    public void SetTimes(string path, DateTime? lastAccessUtc, DateTime? lastWriteUtc)
    {
        lock (_gate)
        {
            CheckPath(path);
            var node = Walk(path);
            if (lastAccessUtc is { } access)
            {
                node.Attributes.LastAccessUtc = ToUtc(access);
            }
            if (lastWriteUtc is { } write)
            {
                node.Attributes.LastWriteUtc = ToUtc(write);
            }
            node.Attributes.ChangeUtc = _options.Clock();
        }
    }

    public byte[]? GetXattr(string path, string name)
    {
        lock (_gate)
        {
            CheckPath(path);
            var node = Walk(path);
            CheckXattrName(path, name);
            return node.Attributes.Xattrs.TryGetValue(name, out var value) ? (byte[])value.Clone() : null;
        }
    }

    public void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        lock (_gate)
        {
            CheckPath(path);
            var node = Walk(path);
            CheckXattrName(path, name);
            if (value.Length > _options.MaxXattrValueLength)
            {
                throw new BackingStoreException(BackingError.NoSpace, path, $"Extended attribute '{name}' value of {value.Length} bytes is too large");
            }
            node.Attributes.Xattrs[name] = value.ToArray();
            node.Attributes.ChangeUtc = _options.Clock();
        }
    }

    public bool RemoveXattr(string path, string name)
    {
        lock (_gate)
        {
            CheckPath(path);
            var node = Walk(path);
            CheckXattrName(path, name);
            if (!node.Attributes.Xattrs.Remove(name))
            {
                return false;
            }
            node.Attributes.ChangeUtc = _options.Clock();
            return true;
        }
    }

    public IReadOnlyList<string> ListXattrs(string path)
    {
        lock (_gate)
        {
            CheckPath(path);
            return Walk(path).Attributes.Xattrs.Keys.ToList();
        }
    }

    public void SyncDirectory(string path)
    {
        lock (_gate)
        {
            CheckPath(path);
            var directory = WalkDirectory(path);
            directory.DurableChildren = new Dictionary<string, MemoryNode>(directory.Children, StringComparer.Ordinal);
            directory.DurableAttributes.CopyFrom(directory.Attributes);
        }
    }

    public BackingStatistics GetStatistics()
    {
        lock (_gate)
        {
            var free = Math.Max(0, _options.CapacityBytes - _usedBytes);
            return new BackingStatistics(_options.CapacityBytes, free, free);
        }
    }

    public IDisposable AcquireExclusiveLock(string path)
    {
        lock (_gate)
        {
            CheckPath(path);
            BackingPath.ValidateNotRoot(path, "lock");
            var (parent, name) = WalkParent(path);
            if (!parent.Children.TryGetValue(name, out var node))
            {
                node = new MemoryFile(_nextInode++, NewAttributes(UnixMode.DefaultFile));
                AddChild(parent, name, node);
            }
            if (node is not MemoryFile file)
            {
                throw new BackingStoreException(BackingError.IsADirectory, path, "The lock path is a directory");
            }
            if (file.Locked)
            {
                throw new BackingStoreException(BackingError.Locked, path, "The lock is held by another process or mount");
            }
            file.Locked = true;
            file.OpenHandles++;
            return new HeldLock(this, file);
        }
    }

    /// <summary>Nothing to release: the store is only memory.</summary>
    public void Dispose()
    {
    }

    private sealed class HeldLock(InMemoryBackingStore store, MemoryFile file) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            lock (store._gate)
            {
                if (_released)
                {
                    return;
                }
                _released = true;
                file.Locked = false;
                store.ReleaseHandle(file);
            }
        }
    }

    // ---- Called by InMemoryBackingFile, under the lock. ----

    internal object Gate => _gate;

    internal void WriteFile(MemoryFile file, string path, long offset, ReadOnlySpan<byte> data)
    {
        var end = offset + data.Length;
        Reserve(file, path, end);
        file.Write(offset, data);
        var now = _options.Clock();
        file.Attributes.LastWriteUtc = now;
        file.Attributes.ChangeUtc = now;
    }

    internal void SetFileLength(MemoryFile file, string path, long length)
    {
        Reserve(file, path, length);
        if (length < file.Length)
        {
            _usedBytes -= file.Length - length;
        }
        file.SetLength(length);
        var now = _options.Clock();
        file.Attributes.LastWriteUtc = now;
        file.Attributes.ChangeUtc = now;
    }

    internal static void FlushFile(MemoryFile file)
    {
        file.MakeContentDurable();
        file.DurableAttributes.CopyFrom(file.Attributes);
    }

    internal void ReleaseHandle(MemoryFile file)
    {
        file.OpenHandles--;
        FreeIfUnreferenced(file);
    }

    /// <summary>Accounts for a file growing to <paramref name="end"/>, or fails with NoSpace changing nothing.</summary>
    private void Reserve(MemoryFile file, string path, long end)
    {
        if (end > Array.MaxLength)
        {
            throw new BackingStoreException(BackingError.NoSpace, path, $"The in-memory store holds files up to {Array.MaxLength} bytes");
        }
        var growth = end - file.Length;
        if (growth > 0)
        {
            if (_usedBytes + growth > _options.CapacityBytes)
            {
                throw new BackingStoreException(BackingError.NoSpace, path, $"No space left: {growth} more bytes needed, {_options.CapacityBytes - _usedBytes} free");
            }
            _usedBytes += growth;
        }
    }

    // ---- Namespace helpers, under the lock. ----

    private NodeAttributes NewAttributes(UnixMode mode)
    {
        var now = _options.Clock();
        return new NodeAttributes
        {
            Mode = mode,
            Uid = _options.Uid,
            Gid = _options.Gid,
            LastAccessUtc = now,
            LastWriteUtc = now,
            ChangeUtc = now,
        };
    }

    private void AddChild(MemoryDirectory parent, string name, MemoryNode node)
    {
        parent.Children.Add(name, node);
        node.Links++;
        Touch(parent, _options.Clock());
    }

    private void RemoveChild(MemoryDirectory parent, string name)
    {
        var node = parent.Children[name];
        parent.Children.Remove(name);
        node.Links--;
        var now = _options.Clock();
        Touch(parent, now);
        node.Attributes.ChangeUtc = now;
        if (node is MemoryFile file)
        {
            FreeIfUnreferenced(file);
        }
    }

    /// <summary>A file with no names and no open handles is gone; its space comes back.</summary>
    private void FreeIfUnreferenced(MemoryFile file)
    {
        if (file.Links == 0 && file.OpenHandles == 0)
        {
            _usedBytes -= file.Length;
        }
    }

    private static void Touch(MemoryDirectory directory, DateTime now)
    {
        directory.Attributes.LastWriteUtc = now;
        directory.Attributes.ChangeUtc = now;
    }

    private static DateTime ToUtc(DateTime time) =>
        time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);

    /// <summary>Well-formedness, then the store's own name rules for every component.</summary>
    private void CheckPath(string path)
    {
        BackingPath.Validate(path);
        if (path.Length == 0)
        {
            return;
        }
        foreach (var range in path.AsSpan().Split('/'))
        {
            var component = path.AsSpan()[range];
            if (Encoding.UTF8.GetByteCount(component) > _options.MaxNameLength)
            {
                throw new BackingStoreException(BackingError.NameTooLong, path, $"A name is longer than {_options.MaxNameLength} bytes");
            }
            foreach (var c in component)
            {
                if (_options.ForbiddenNameCharacters.Contains(c))
                {
                    throw new BackingStoreException(BackingError.NameInvalid, path, $"The name has the character '{c}', which this store refuses");
                }
            }
        }
    }

    private static void CheckXattrName(string path, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0'))
        {
            throw new BackingStoreException(BackingError.NameInvalid, path, $"Invalid extended attribute name '{name.Replace("\0", "\\0")}'");
        }
        if (Encoding.UTF8.GetByteCount(name) + XattrNamespacePrefix.Length > XattrNameMax)
        {
            throw new BackingStoreException(BackingError.NameTooLong, path, $"Extended attribute name '{name}' is too long");
        }
    }

    /// <summary>The node at a path, or null when a component is missing or not a directory (lstat's ENOENT/ENOTDIR).</summary>
    private MemoryNode? TryWalk(string path)
    {
        MemoryNode node = _root;
        if (path.Length == 0)
        {
            return node;
        }
        foreach (var range in path.AsSpan().Split('/'))
        {
            if (node is not MemoryDirectory directory || !directory.Children.TryGetValue(path[range], out var child))
            {
                return null;
            }
            node = child;
        }
        return node;
    }

    /// <summary>The node at a path, or NotFound / NotADirectory naming the path.</summary>
    private MemoryNode Walk(string path)
    {
        if (path.Length == 0)
        {
            return _root;
        }
        var (parent, name) = WalkParent(path);
        return Child(parent, name, path);
    }

    private MemoryDirectory WalkDirectory(string path) => Walk(path) as MemoryDirectory
        ?? throw new BackingStoreException(BackingError.NotADirectory, path, "Not a directory");

    /// <summary>The directory that holds the last component, which must exist and be a directory.</summary>
    private (MemoryDirectory Parent, string Name) WalkParent(string path)
    {
        var directory = _root;
        var slash = path.LastIndexOf('/');
        if (slash >= 0)
        {
            foreach (var range in path.AsSpan(0, slash).Split('/'))
            {
                if (!directory.Children.TryGetValue(path[range], out var child))
                {
                    throw new BackingStoreException(BackingError.NotFound, path, "A parent directory does not exist");
                }
                directory = child as MemoryDirectory
                    ?? throw new BackingStoreException(BackingError.NotADirectory, path, "A parent is not a directory");
            }
        }
        return (directory, path[(slash + 1)..]);
    }

    private static MemoryNode Child(MemoryDirectory parent, string name, string path) =>
        parent.Children.TryGetValue(name, out var node)
            ? node
            : throw new BackingStoreException(BackingError.NotFound, path, "No such file or directory");
}
