using Layered.Backing;
using Microsoft.Coyote.Runtime;

namespace Layered.Concurrency.Tests.Harness;

/// <summary>
/// The store seam made visible to Coyote: every call of the engine into the backing store first offers Coyote a
/// scheduling point, so a systematic test can run another operation between, say, an operation's journal append
/// and its rename on the store. The store itself (InMemoryBackingStore, not rewritten) then runs as one atomic
/// step, as a system call does. The journal's own files get no scheduling point: its device threads are not
/// controlled by Coyote (see the project file), and they must never reach one. Outside a Coyote test the
/// scheduling point is a no-op, so the same wrapper serves the stress runs.
/// </summary>
public sealed class InterleavingStore(IBackingStore inner) : IBackingStore
{
    private const string JournalPrefix = ".layered/journal";

    public IBackingStore Inner => inner;

    private static void Point(string path)
    {
        if (!path.StartsWith(JournalPrefix, StringComparison.Ordinal))
            SchedulingPoint.Interleave();
    }

    public string Location => inner.Location;
    public BackingEntry? TryGetEntry(string path) { Point(path); return inner.TryGetEntry(path); }
    public IReadOnlyList<BackingEntry> ListDirectory(string path) { Point(path); return inner.ListDirectory(path); }

    public IBackingFile OpenFile(string path, BackingOpenMode mode)
    {
        Point(path);
        var file = inner.OpenFile(path, mode);
        return path.StartsWith(JournalPrefix, StringComparison.Ordinal) ? file : new InterleavingFile(file);
    }

    public void CreateDirectory(string path, UnixMode mode = UnixMode.DefaultDirectory) { Point(path); inner.CreateDirectory(path, mode); }
    public void DeleteFile(string path) { Point(path); inner.DeleteFile(path); }
    public void DeleteDirectory(string path) { Point(path); inner.DeleteDirectory(path); }
    public void Rename(string from, string to, bool replace) { Point(from); inner.Rename(from, to, replace); }
    public void CreateHardLink(string existing, string newPath) { Point(existing); inner.CreateHardLink(existing, newPath); }
    public void SetMode(string path, UnixMode mode) { Point(path); inner.SetMode(path, mode); }
    public void SetOwner(string path, int uid, int gid) { Point(path); inner.SetOwner(path, uid, gid); }
    public void SetTimes(string path, DateTime? lastAccessUtc, DateTime? lastWriteUtc) { Point(path); inner.SetTimes(path, lastAccessUtc, lastWriteUtc); }
    public byte[]? GetXattr(string path, string name) { Point(path); return inner.GetXattr(path, name); }
    public void SetXattr(string path, string name, ReadOnlySpan<byte> value) { Point(path); inner.SetXattr(path, name, value); }
    public bool RemoveXattr(string path, string name) { Point(path); return inner.RemoveXattr(path, name); }
    public IReadOnlyList<string> ListXattrs(string path) { Point(path); return inner.ListXattrs(path); }
    public void SyncDirectory(string path) { Point(path); inner.SyncDirectory(path); }
    public BackingStatistics GetStatistics() => inner.GetStatistics();
    public IDisposable AcquireExclusiveLock(string path) => inner.AcquireExclusiveLock(path);
    public void Dispose() => inner.Dispose();

    private sealed class InterleavingFile(IBackingFile file) : IBackingFile
    {
        public string Path => file.Path;
        public long Length => file.Length;
        public int Read(long offset, Span<byte> buffer) { SchedulingPoint.Interleave(); return file.Read(offset, buffer); }
        public void Write(long offset, ReadOnlySpan<byte> data) { SchedulingPoint.Interleave(); file.Write(offset, data); }
        public void SetLength(long length) { SchedulingPoint.Interleave(); file.SetLength(length); }
        public void Flush() => file.Flush();
        public void Dispose() => file.Dispose();
    }
}
