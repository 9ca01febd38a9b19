using Layered.Backing;

namespace Layered.Fsd.Tests;

/// <summary>
/// An in-memory store that intercepts the next write to one named file, once: it fails with an I/O error (what a
/// disk error or a full disk does to one request), or runs an action just before the write goes through (another
/// operation arriving at that moment). So the engine's undo paths (a write that already changed the file's size in
/// the journal, a settle whose zeros could not be stored) and its races with a header write can be driven
/// deterministically. Everything else, including the journal's own files, goes straight to the inner store.
/// </summary>
public sealed class InterceptingStore(InMemoryBackingStore inner) : IBackingStore
{
    private sealed record Interception(string Path, Action? Before);

    private Interception? _next;

    public InMemoryBackingStore Inner => inner;

    /// <summary>The next write to the file at <paramref name="path"/> (store path) throws; later ones succeed.</summary>
    public void FailNextWriteTo(string path) => Volatile.Write(ref _next, new Interception(path, null));

    /// <summary>Runs <paramref name="before"/> on the writing thread just before the next write to the file at
    /// <paramref name="path"/>, which then goes through.</summary>
    public void BeforeNextWriteTo(string path, Action before) => Volatile.Write(ref _next, new Interception(path, before));

    /// <summary>Whether the armed interception has happened.</summary>
    public bool Intercepted => Volatile.Read(ref _next) is null;

    /// <summary>Takes the armed interception if it is for <paramref name="path"/>.</summary>
    private Interception? Take(string path)
    {
        var armed = Volatile.Read(ref _next);
        return armed is not null && armed.Path == path && ReferenceEquals(Interlocked.CompareExchange(ref _next, null, armed), armed)
            ? armed
            : null;
    }

    public string Location => inner.Location;
    public BackingEntry? TryGetEntry(string path)
    {
        Interlocked.Increment(ref _entryLookups);
        return inner.TryGetEntry(path);
    }

    private int _entryLookups;

    /// <summary>How many times an entry was looked up (a stat of the backing folder).</summary>
    public int EntryLookups => Volatile.Read(ref _entryLookups);
    public IReadOnlyList<BackingEntry> ListDirectory(string path) => inner.ListDirectory(path);
    public IBackingFile OpenFile(string path, BackingOpenMode mode) => new File(this, inner.OpenFile(path, mode), path);
    public void CreateDirectory(string path, UnixMode mode = UnixMode.DefaultDirectory) => inner.CreateDirectory(path, mode);
    public void DeleteFile(string path) => inner.DeleteFile(path);
    public void DeleteDirectory(string path) => inner.DeleteDirectory(path);
    public void Rename(string from, string to, bool replace) => inner.Rename(from, to, replace);
    public void CreateHardLink(string existing, string newPath) => inner.CreateHardLink(existing, newPath);
    public void SetMode(string path, UnixMode mode) => inner.SetMode(path, mode);
    public void SetOwner(string path, int uid, int gid) => inner.SetOwner(path, uid, gid);
    public void SetTimes(string path, DateTime? lastAccessUtc, DateTime? lastWriteUtc) => inner.SetTimes(path, lastAccessUtc, lastWriteUtc);
    public byte[]? GetXattr(string path, string name) => inner.GetXattr(path, name);
    public void SetXattr(string path, string name, ReadOnlySpan<byte> value) => inner.SetXattr(path, name, value);
    public bool RemoveXattr(string path, string name) => inner.RemoveXattr(path, name);
    public IReadOnlyList<string> ListXattrs(string path) => inner.ListXattrs(path);
    public void SyncDirectory(string path) => inner.SyncDirectory(path);
    public bool CanSyncAll => ((IBackingStore)inner).CanSyncAll;
    public void SyncAll() => ((IBackingStore)inner).SyncAll();
    public BackingStatistics GetStatistics() => inner.GetStatistics();
    public IDisposable AcquireExclusiveLock(string path) => inner.AcquireExclusiveLock(path);
    public void Dispose() => inner.Dispose();

    private sealed class File(InterceptingStore store, IBackingFile file, string openedAs) : IBackingFile
    {
        public string Path => file.Path;
        public long Length => file.Length;
        public int Read(long offset, Span<byte> buffer) => file.Read(offset, buffer);

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            if (store.Take(openedAs) is { } interception)
            {
                if (interception.Before is not { } before)
                    throw new BackingStoreException(BackingError.IoError, openedAs, "Injected write failure");
                before();
            }
            file.Write(offset, data);
        }

        public void SetLength(long length) => file.SetLength(length);
        public void Flush() => file.Flush();
        public void FlushData() => file.FlushData();
        public void Dispose() => file.Dispose();
    }
}
