namespace Layered.Backing;

/// <summary>
/// Passes every call to an inner store and appends every successful mutation to <see cref="Recording"/>,
/// for crash tests that replay subsets of it. One lock is held across each mutation and its append, so
/// the recorded order is exactly the order the inner store applied them (mutations are therefore
/// serialized; reads are not). Failed calls are not recorded: they changed nothing (a write that fails
/// half-way on a full disk is the exception the recording cannot see). Writes are recorded with the file's
/// identity (its inode when opened) and its current name, tracked through renames and unlinks.
/// </summary>
public sealed class RecordingBackingStore : IBackingStore
{
    private readonly object _gate = new();
    private readonly IBackingStore _inner;

    /// <summary>Files open through this recorder, by identity: their current name (guarded by _gate).</summary>
    private readonly Dictionary<ulong, TrackedFile> _openFiles = [];

    public RecordingBackingStore(IBackingStore inner)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    }

    public Recording Recording { get; } = new();

    public IBackingStore Inner => _inner;

    public string Location => _inner.Location;

    /// <summary>Puts a label in the recording (not a mutation), e.g. when the workload acknowledges an operation.</summary>
    public void Mark(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        lock (_gate)
        {
            Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.Marker, "", Label: label));
        }
    }

    public BackingEntry? TryGetEntry(string path) => _inner.TryGetEntry(path);

    public IReadOnlyList<BackingEntry> ListDirectory(string path) => _inner.ListDirectory(path);

    public IBackingFile OpenFile(string path, BackingOpenMode mode)
    {
        lock (_gate)
        {
            var inner = _inner.OpenFile(path, mode);
            var identity = _inner.TryGetEntry(path)?.Inode ?? 0;
            if (mode == BackingOpenMode.CreateNew)
            {
                Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.CreateFile, path, FileIdentity: identity));
            }
            if (_openFiles.TryGetValue(identity, out var tracked))
            {
                tracked.OpenCount++;
            }
            else
            {
                tracked = new TrackedFile(path);
                _openFiles.Add(identity, tracked);
            }
            return new RecordingBackingFile(this, inner, identity, tracked);
        }
    }

    public void CreateDirectory(string path, UnixMode mode = UnixMode.DefaultDirectory) => Mutate(
        () => _inner.CreateDirectory(path, mode),
        i => new RecordedOperation(i, RecordedOperationKind.CreateDirectory, path, Mode: mode));

    public void DeleteFile(string path)
    {
        lock (_gate)
        {
            _inner.DeleteFile(path);
            Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.DeleteFile, path));
            MarkUnlinked(path);
        }
    }

    public void DeleteDirectory(string path) => Mutate(
        () => _inner.DeleteDirectory(path),
        i => new RecordedOperation(i, RecordedOperationKind.DeleteDirectory, path));

    public void Rename(string from, string to, bool replace)
    {
        lock (_gate)
        {
            var source = _inner.TryGetEntry(from);
            var target = _inner.TryGetEntry(to);
            _inner.Rename(from, to, replace);
            Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.Rename, from, TargetPath: to, Replace: replace));
            if (source is not null && target is not null && source.Inode == target.Inode)
            {
                return; // another name of the same file: POSIX rename did nothing
            }
            if (target is not null)
            {
                MarkUnlinked(to);
            }
            foreach (var tracked in _openFiles.Values)
            {
                if (!tracked.Unlinked && BackingPath.IsSameOrBelow(tracked.Path, from))
                {
                    tracked.Path = to + tracked.Path[from.Length..];
                }
            }
        }
    }

    public void CreateHardLink(string existing, string newPath) => Mutate(
        () => _inner.CreateHardLink(existing, newPath),
        i => new RecordedOperation(i, RecordedOperationKind.CreateHardLink, existing, TargetPath: newPath));

    public void SetMode(string path, UnixMode mode) => Mutate(
        () => _inner.SetMode(path, mode),
        i => new RecordedOperation(i, RecordedOperationKind.SetMode, path, Mode: mode));

    public void SetOwner(string path, int uid, int gid) => Mutate(
        () => _inner.SetOwner(path, uid, gid),
        i => new RecordedOperation(i, RecordedOperationKind.SetOwner, path, Uid: uid, Gid: gid));

    public void SetTimes(string path, DateTime? lastAccessUtc, DateTime? lastWriteUtc) => Mutate(
        () => _inner.SetTimes(path, lastAccessUtc, lastWriteUtc),
        i => new RecordedOperation(i, RecordedOperationKind.SetTimes, path, LastAccessUtc: lastAccessUtc, LastWriteUtc: lastWriteUtc));

    public byte[]? GetXattr(string path, string name) => _inner.GetXattr(path, name);

    public void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        lock (_gate)
        {
            _inner.SetXattr(path, name, value);
            var copy = value.ToArray();
            Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.SetXattr, path, Length: copy.Length, Data: copy, Label: name));
        }
    }

    public bool RemoveXattr(string path, string name)
    {
        lock (_gate)
        {
            var removed = _inner.RemoveXattr(path, name);
            if (removed)
            {
                Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.RemoveXattr, path, Label: name));
            }
            return removed;
        }
    }

    public IReadOnlyList<string> ListXattrs(string path) => _inner.ListXattrs(path);

    public void SyncDirectory(string path) => Mutate(
        () => _inner.SyncDirectory(path),
        i => new RecordedOperation(i, RecordedOperationKind.SyncDirectory, path));

    /// <summary>The inner store's: the recorder flushes as a whole exactly when what it wraps can.</summary>
    public bool CanSyncAll => _inner.CanSyncAll;

    public void SyncAll() => Mutate(
        _inner.SyncAll,
        i => new RecordedOperation(i, RecordedOperationKind.SyncAll, ""));

    public BackingStatistics GetStatistics() => _inner.GetStatistics();

    public IDisposable AcquireExclusiveLock(string path)
    {
        lock (_gate)
        {
            var existed = _inner.TryGetEntry(path) is not null;
            var held = _inner.AcquireExclusiveLock(path);
            if (!existed)
            {
                var identity = _inner.TryGetEntry(path)?.Inode ?? 0;
                Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.CreateFile, path, FileIdentity: identity));
            }
            return held;
        }
    }

    /// <summary>Disposes the inner store too: the recorder owns what it wraps.</summary>
    public void Dispose() => _inner.Dispose();

    // ---- Called by RecordingBackingFile. ----

    internal object Gate => _gate;

    internal void Closed(ulong identity, TrackedFile tracked)
    {
        if (--tracked.OpenCount == 0)
        {
            _openFiles.Remove(identity);
        }
    }

    private void Mutate(Action apply, Func<int, RecordedOperation> record)
    {
        lock (_gate)
        {
            apply();
            Recording.Append(record);
        }
    }

    /// <summary>An open file whose name was removed keeps its last name (for messages) and stops following renames.</summary>
    private void MarkUnlinked(string path)
    {
        foreach (var tracked in _openFiles.Values)
        {
            if (tracked.Path == path)
            {
                tracked.Unlinked = true;
            }
        }
    }

    internal sealed class TrackedFile(string path)
    {
        public string Path { get; set; } = path;
        public bool Unlinked { get; set; }
        public int OpenCount { get; set; } = 1;
    }
}
