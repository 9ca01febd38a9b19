using System.Collections.Concurrent;
using FASTER.core;
using Layered.Backing;
using Microsoft.Extensions.Logging;

namespace Layered.Journal.Storage;

/// <summary>
/// FasterLog's storage device, over <see cref="IBackingStore"/> files <c>&lt;directory&gt;/log.&lt;segment&gt;</c>, so the
/// journal's writes go through the same store (and the same crash recorder) as the engine's data.
/// Writes are plain positional writes done on a dedicated I/O thread (so an append that fills a page never waits
/// for the disk, and a thread pool full of callers blocked in a commit cannot starve the I/O that would release
/// them; reads have their own thread); durability comes from <see cref="SyncForCommit"/>, which the commit manager calls before it
/// writes a commit record: it fsyncs every segment written since the last commit, and the directory when a
/// segment file was created or removed. FasterLog only calls the commit manager after every write the commit
/// covers has completed, so this gives the same guarantee as O_SYNC writes with one fsync per file per commit.
/// </summary>
internal sealed unsafe class BackingLogDevice : StorageDeviceBase
{
    internal const string SegmentPrefix = "log.";
    private const uint IoErrorCode = 5; // reported to FasterLog as a failed I/O (EIO); any non-zero code poisons the log

    private readonly IBackingStore _store;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, SegmentFile> _segments = new();
    private readonly object _openLock = new();
    private readonly ConcurrentQueue<DeviceIoRequest> _requestPool = new();
    private readonly DeviceIoQueue _writes;
    private readonly DeviceIoQueue _reads;
    private readonly JournalFaultHooks _faults;
    private int _directoryDirty;
    private volatile bool _disposed;

    public BackingLogDevice(IBackingStore store, string directory, ILogger logger, JournalFaultHooks faults)
        : base(BackingPath(directory, "log"), 512, Devices.CAPACITY_UNSPECIFIED)
    {
        _store = store;
        _directory = directory;
        _logger = logger;
        _faults = faults;
        _writes = new DeviceIoQueue(this, "journal-device-write");
        _reads = new DeviceIoQueue(this, "journal-device-read");
        // Segments left by an earlier process: start deleting from the lowest one on the next truncation.
        var existing = ExistingSegments(store, directory);
        if (existing.Count > 0)
        {
            startSegment = existing.Min();
            endSegment = existing.Max();
        }
    }

    internal static string BackingPath(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    internal static string SegmentPath(string directory, int segment) => BackingPath(directory, SegmentPrefix + segment);

    /// <summary>Segment numbers of the <c>log.N</c> files present in the journal directory.</summary>
    internal static List<int> ExistingSegments(IBackingStore store, string directory)
    {
        var result = new List<int>();
        foreach (var entry in store.ListDirectory(directory))
        {
            if (entry.Kind == BackingEntryKind.File && entry.Name.StartsWith(SegmentPrefix, StringComparison.Ordinal)
                && int.TryParse(entry.Name.AsSpan(SegmentPrefix.Length), System.Globalization.NumberStyles.None, null, out int id))
                result.Add(id);
        }
        return result;
    }

    public override void WriteAsync(IntPtr sourceAddress, int segmentId, ulong destinationAddress, uint numBytesToWrite,
        DeviceIOCompletionCallback callback, object context)
    {
        HandleCapacity(segmentId);
        Queue(DeviceIoKind.Write, sourceAddress, segmentId, destinationAddress, numBytesToWrite, callback, context);
    }

    public override void ReadAsync(int segmentId, ulong sourceAddress, IntPtr destinationAddress, uint readLength,
        DeviceIOCompletionCallback callback, object context)
    {
        Queue(DeviceIoKind.Read, destinationAddress, segmentId, sourceAddress, readLength, callback, context);
    }

    private void Queue(DeviceIoKind kind, IntPtr memory, int segment, ulong offset, uint length, DeviceIOCompletionCallback callback, object context)
    {
        if (!_requestPool.TryDequeue(out var request))
            request = new DeviceIoRequest(this);
        request.Set(kind, memory, segment, offset, length, callback, context);
        (kind == DeviceIoKind.Write ? _writes : _reads).Enqueue(request);
    }

    /// <summary>Runs one queued I/O on an I/O thread and completes it to FasterLog.</summary>
    internal void Execute(DeviceIoRequest request)
    {
        var (kind, memory, segment, offset, length, callback, context) = request.Take();
        _requestPool.Enqueue(request);
        uint error = 0;
        try
        {
            var span = new Span<byte>((void*)memory, checked((int)length));
            if (kind == DeviceIoKind.Write)
            {
                _faults.BeforeDeviceWrite();
                var file = GetOrCreate(segment);
                file.File.Write(checked((long)offset), span);
                // Marked after the write returned: the next SyncForCommit flushes it.
                Volatile.Write(ref file.Dirty, 1);
            }
            else
            {
                ReadInto(segment, checked((long)offset), span);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            error = IoErrorCode;
            _logger.LogError(e, "Journal device {Kind} of {Length} bytes at offset {Offset} of segment {Segment} in {Directory} failed",
                kind, length, offset, segment, _directory);
        }
        callback(error, error == 0 ? length : 0, context);
    }

    private void ReadInto(int segment, long offset, Span<byte> destination)
    {
        int total = 0;
        var file = TryOpenExisting(segment);
        if (file is not null)
        {
            while (total < destination.Length)
            {
                int n = file.File.Read(offset + total, destination[total..]);
                if (n == 0)
                    break;
                total += n;
            }
        }
        // Beyond the end of a segment (or a segment never written) reads as zeros, which FasterLog treats as
        // unwritten space. Open checks segment lengths against the commit point, so a truncated segment is
        // reported there instead of being read as zeros.
        destination[total..].Clear();
    }

    private SegmentFile? TryOpenExisting(int segment)
    {
        if (_segments.TryGetValue(segment, out var file))
            return file;
        lock (_openLock)
        {
            if (_segments.TryGetValue(segment, out file))
                return file;
            string path = SegmentPath(_directory, segment);
            if (_store.TryGetEntry(path) is null)
                return null;
            file = new SegmentFile(_store.OpenFile(path, BackingOpenMode.OpenReadWrite));
            _segments[segment] = file;
            return file;
        }
    }

    private SegmentFile GetOrCreate(int segment)
    {
        var file = TryOpenExisting(segment);
        if (file is not null)
            return file;
        lock (_openLock)
        {
            if (_segments.TryGetValue(segment, out file))
                return file;
            ObjectDisposedException.ThrowIf(_disposed, this);
            file = new SegmentFile(_store.OpenFile(SegmentPath(_directory, segment), BackingOpenMode.CreateNew));
            _segments[segment] = file;
            Volatile.Write(ref _directoryDirty, 1);
            return file;
        }
    }

    /// <summary>Makes every completed write durable: fsync of each segment written since the last call, and of the
    /// directory when segment files were created or removed. Called by the commit manager before each commit record.</summary>
    public void SyncForCommit()
    {
        foreach (var pair in _segments)
        {
            var file = pair.Value;
            if (Interlocked.Exchange(ref file.Dirty, 0) != 0)
            {
                try
                {
                    file.File.FlushData(); // data and size: all a reader of the log needs
                }
                catch
                {
                    Volatile.Write(ref file.Dirty, 1);
                    throw;
                }
            }
        }
        if (Interlocked.Exchange(ref _directoryDirty, 0) != 0)
            _store.SyncDirectory(_directory);
    }

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        // FasterLog calls this from inside an epoch action; deleting and fsyncing the directory there would hold
        // up every thread, so it runs on the pool.
        ThreadPool.QueueUserWorkItem(_ =>
        {
            try
            {
                RemoveSegment(segment);
            }
            catch (IOException e)
            {
                _logger.LogWarning(e, "Could not remove journal segment {Segment} in {Directory}; it is removed at the next truncation",
                    segment, _directory);
            }
            callback(result);
        });
    }

    public override void RemoveSegment(int segment)
    {
        lock (_openLock)
        {
            if (_segments.TryRemove(segment, out var file))
                file.File.Dispose();
            string path = SegmentPath(_directory, segment);
            if (_store.TryGetEntry(path) is null)
                return;
            _store.DeleteFile(path);
        }
        // The deletion is what frees the space; make it durable now rather than at some later commit.
        _store.SyncDirectory(_directory);
        _logger.LogDebug("Removed journal segment {Path}", SegmentPath(_directory, segment));
    }

    public override long GetFileSize(int segment)
    {
        string path = SegmentPath(_directory, segment);
        return _store.TryGetEntry(path)?.Length ?? 0;
    }

    public override void Dispose()
    {
        _writes.Dispose();
        _reads.Dispose();
        lock (_openLock)
        {
            _disposed = true;
            foreach (var pair in _segments)
                pair.Value.File.Dispose();
            _segments.Clear();
        }
    }

    /// <summary>An open segment and whether it has writes not yet fsynced.</summary>
    private sealed class SegmentFile(IBackingFile file)
    {
        public readonly IBackingFile File = file;
        public int Dirty;
    }
}

internal enum DeviceIoKind : byte { Read, Write }

/// <summary>A reusable description of one device I/O (pooled, so steady-state I/O allocates nothing).</summary>
internal sealed class DeviceIoRequest(BackingLogDevice device)
{
    private DeviceIoKind _kind;
    private IntPtr _memory;
    private int _segment;
    private ulong _offset;
    private uint _length;
    private DeviceIOCompletionCallback? _callback;
    private object? _context;

    public void Set(DeviceIoKind kind, IntPtr memory, int segment, ulong offset, uint length, DeviceIOCompletionCallback callback, object context)
    {
        _kind = kind;
        _memory = memory;
        _segment = segment;
        _offset = offset;
        _length = length;
        _callback = callback;
        _context = context;
    }

    public (DeviceIoKind, IntPtr, int, ulong, uint, DeviceIOCompletionCallback, object) Take()
    {
        var result = (_kind, _memory, _segment, _offset, _length, _callback!, _context!);
        _callback = null;
        _context = null;
        return result;
    }

    public void Execute() => device.Execute(this);
}

/// <summary>A queue of device I/Os served, in order, by one dedicated thread.</summary>
internal sealed class DeviceIoQueue : IDisposable
{
    private readonly ConcurrentQueue<DeviceIoRequest> _queue = new();
    private readonly SemaphoreSlim _pending = new(0);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public DeviceIoQueue(BackingLogDevice device, string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Enqueue(DeviceIoRequest request)
    {
        _queue.Enqueue(request);
        _pending.Release();
    }

    private void Run()
    {
        while (true)
        {
            _pending.Wait();
            if (_queue.TryDequeue(out var request))
                request.Execute();
            else if (_stopping)
                return;
        }
    }

    /// <summary>Finishes the queued I/Os, then stops the thread.</summary>
    public void Dispose()
    {
        _stopping = true;
        _pending.Release();
        _thread.Join();
        _pending.Dispose();
    }
}
