namespace Layered.Fsd.Locking;

/// <summary>
/// The namespace lock order of DESIGN §5. Every path operation holds the tree lock shared; a directory rename
/// holds it exclusive, because it changes the path of everything below it. Directory locks are taken in one
/// global order (ordinal order of their paths, which also puts an ancestor before its descendants), shared
/// for lookups and exclusive for changes to that directory's entries. A rename between two directories also
/// holds the volume rename lock, as the Linux VFS does (s_vfs_rename_mutex).
/// </summary>
internal sealed class NamespaceLocks
{
    private readonly ReaderWriterLock _tree = new();
    private readonly object _crossDirectoryRename = new();
    private readonly Dictionary<string, DirectoryLock> _directories = new(StringComparer.Ordinal);
    private readonly EngineTestSwitches _switches;

    public NamespaceLocks(EngineTestSwitches switches) => _switches = switches;

    /// <summary>Shared lock on the directory <paramref name="dir"/> (to look a name up in it).</summary>
    public Scope Lookup(string dir) => Take(dir, null, exclusive: false, treeExclusive: false, crossDirectory: false);

    /// <summary>Exclusive lock on the directory <paramref name="dir"/> (to add or remove a name in it).</summary>
    public Scope Change(string dir) => Take(dir, null, exclusive: true, treeExclusive: false, crossDirectory: false);

    /// <summary>Locks for a rename or link between two directories.</summary>
    public Scope Rename(string fromDir, string toDir, bool movesDirectory) =>
        Take(fromDir, toDir, exclusive: true, treeExclusive: movesDirectory, crossDirectory: fromDir != toDir);

    /// <summary>The whole namespace, exclusive (checkpoint-free maintenance such as recovery's cleanup).</summary>
    public Scope Everything() => Take("", null, exclusive: true, treeExclusive: true, crossDirectory: true);

    private Scope Take(string a, string? b, bool exclusive, bool treeExclusive, bool crossDirectory)
    {
        if (_switches.DisableNamespaceLocks)
            return default;
        if (treeExclusive) _tree.EnterWrite(); else _tree.EnterRead();
        if (crossDirectory)
            Monitor.Enter(_crossDirectoryRename);
        DirectoryLock first;
        DirectoryLock? second;
        if (b is null || b == a)
        {
            first = Acquire(a);
            second = null;
        }
        else
        {
            // One global order: ordinal path order (an ancestor sorts before its descendants).
            var (lo, hi) = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
            first = Acquire(lo);
            second = Acquire(hi);
        }
        if (exclusive) first.Lock.EnterWrite(); else first.Lock.EnterRead();
        if (second is not null)
        {
            if (exclusive) second.Lock.EnterWrite(); else second.Lock.EnterRead();
        }
        return new Scope(this, first, second, exclusive, treeExclusive, crossDirectory);
    }

    private DirectoryLock Acquire(string dir)
    {
        lock (_directories)
        {
            if (!_directories.TryGetValue(dir, out var l))
                _directories[dir] = l = new DirectoryLock(dir);
            l.References++;
            return l;
        }
    }

    private void Release(DirectoryLock l)
    {
        lock (_directories)
        {
            if (--l.References == 0)
                _directories.Remove(l.Path);
        }
    }

    internal sealed class DirectoryLock(string path)
    {
        public readonly string Path = path;
        public readonly ReaderWriterLock Lock = new();
        public int References;
    }

    public readonly struct Scope : IDisposable
    {
        private readonly NamespaceLocks? _owner;
        private readonly DirectoryLock? _first, _second;
        private readonly bool _exclusive, _treeExclusive, _crossDirectory;

        internal Scope(NamespaceLocks owner, DirectoryLock first, DirectoryLock? second, bool exclusive, bool treeExclusive, bool crossDirectory)
        {
            _owner = owner;
            _first = first;
            _second = second;
            _exclusive = exclusive;
            _treeExclusive = treeExclusive;
            _crossDirectory = crossDirectory;
        }

        public void Dispose()
        {
            if (_owner is null)
                return;
            if (_second is not null)
            {
                if (_exclusive) _second.Lock.ExitWrite(); else _second.Lock.ExitRead();
                _owner.Release(_second);
            }
            if (_exclusive) _first!.Lock.ExitWrite(); else _first!.Lock.ExitRead();
            _owner.Release(_first);
            if (_crossDirectory)
                Monitor.Exit(_owner._crossDirectoryRename);
            if (_treeExclusive) _owner._tree.ExitWrite(); else _owner._tree.ExitRead();
        }
    }
}
