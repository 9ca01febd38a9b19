using System.Collections.Concurrent;
using FASTER.core;
using Layered.Backing;
using Microsoft.Extensions.Logging;

namespace Layered.Journal.Storage;

/// <summary>
/// FasterLog's storage device, over <see cref="IBackingStore"/> files <c>&lt;directory&gt;/log.&lt;segment&gt;</c>, so the
/// journal's writes go through the same store (and the same crash recorder) as the engine's data.
/// Each segment file is FasterLog's data <c>[0, S)</c> followed by the commit trailer <c>[S, S + 8192)</c> (two
/// <see cref="CommitSlot"/>s). It is preallocated with real zeros when it is created (file and directory fsynced,
/// then the superblock records it as the highest segment), so every later write is an in-place overwrite and an
/// fdatasync flushes data only, never block allocation or size metadata.
/// Writes are plain positional writes done on a dedicated I/O thread (so an append that fills a page never waits
/// for the disk, and a thread pool full of callers blocked in a commit cannot starve the I/O that would release
/// them; reads have their own thread). Durability comes from the commit manager, which fdatasyncs the segments
/// written since the last commit (<see cref="FlushDirtySegmentsExcept"/>, <see cref="FlushSegment"/>); FasterLog
/// only calls it after every write the commit covers has completed.
/// A segment the log no longer needs is not deleted but renamed to <c>spare.&lt;n&gt;</c> (up to a limit), and the
/// next segment is made from a spare by renaming it back and blanking its trailer: the zero fill, the block
/// allocation and the deletion (with its discard) are paid once per spare instead of once per 4 MiB of log.
/// </summary>
internal sealed unsafe class BackingLogDevice : StorageDeviceBase
{
    internal const string SegmentPrefix = "log.";
    internal const string SparePrefix = "spare.";
    private const uint IoErrorCode = 5; // reported to FasterLog as a failed I/O (EIO); any non-zero code poisons the log
    private const int ZeroChunk = 1 << 20;

    private static byte[]? s_zeros;

    private readonly IBackingStore _store;
    private readonly string _directory;
    private readonly int _segmentSizeBits;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, SegmentFile> _segments = new();
    private readonly object _openLock = new();
    private readonly ConcurrentQueue<DeviceIoRequest> _requestPool = new();
    private readonly DeviceIoQueue _writes;
    private readonly DeviceIoQueue _reads;
    private readonly JournalFaultHooks _faults;
    private readonly Action<int> _segmentCreated;
    private readonly int _spareLimit;
    private readonly Stack<int> _spares = new(); // names of spare files, most recently freed on top; under _openLock
    private volatile bool _disposed;

    /// <param name="segmentCreated">Called once a new segment file is preallocated and durable, before anything is
    /// written into it: the journal records it in the superblock.</param>
    /// <param name="spareLimit">How many freed segments are kept as spares for reuse (the rest are deleted).</param>
    public BackingLogDevice(IBackingStore store, string directory, int segmentSizeBits, ILogger logger,
        JournalFaultHooks faults, Action<int> segmentCreated, int spareLimit)
        : base(BackingPath(directory, "log"), 512, Devices.CAPACITY_UNSPECIFIED)
    {
        _store = store;
        _directory = directory;
        _segmentSizeBits = segmentSizeBits;
        _logger = logger;
        _faults = faults;
        _segmentCreated = segmentCreated;
        _spareLimit = spareLimit;
        _writes = new DeviceIoQueue(this, "journal-device-write");
        _reads = new DeviceIoQueue(this, "journal-device-read");
        // Segments left by an earlier process: start deleting from the lowest one on the next truncation.
        var existing = ExistingSegments(store, directory);
        if (existing.Count > 0)
        {
            startSegment = existing.Min();
            endSegment = existing.Max();
        }
        AdoptSpares();
    }

    /// <summary>Spares left by an earlier process (one that did not close cleanly) are reused like this process's
    /// own, up to the limit; the rest, any not at full length, and all of them on a disk short of space, are
    /// deleted.</summary>
    private void AdoptSpares()
    {
        long length = SegmentFileLength(_segmentSizeBits);
        bool deleted = false;
        var spares = SpareFiles(_store, _directory);
        bool room = spares.Count > 0 && RoomForSpares();
        foreach (var (id, entry) in spares.OrderBy(s => s.Number))
        {
            if (room && _spares.Count < _spareLimit && entry.Length == length)
            {
                _spares.Push(id);
                continue;
            }
            _store.DeleteFile(SparePath(_directory, id));
            deleted = true;
        }
        if (deleted)
            _store.SyncDirectory(_directory);
    }

    /// <summary>Where a segment's commit trailer starts: right after FasterLog's data.</summary>
    internal static long TrailerOffset(int segmentSizeBits) => 1L << segmentSizeBits;

    /// <summary>The length of every segment file: data and trailer, all preallocated.</summary>
    internal static long SegmentFileLength(int segmentSizeBits) => TrailerOffset(segmentSizeBits) + CommitSlot.TrailerSize;

    internal static string BackingPath(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    internal static string SegmentPath(string directory, int segment) => BackingPath(directory, SegmentPrefix + segment);

    internal static string SparePath(string directory, int id) => BackingPath(directory, SparePrefix + id);


    /// <summary>Segment numbers of the <c>log.N</c> files present in the journal directory.</summary>
    internal static List<int> ExistingSegments(IBackingStore store, string directory) =>
        NumberedFiles(store, directory, SegmentPrefix).Select(f => f.Number).ToList();

    /// <summary>The <c>spare.N</c> files in the journal directory: freed segments kept for reuse.</summary>
    internal static List<(int Number, BackingEntry Entry)> SpareFiles(IBackingStore store, string directory) =>
        NumberedFiles(store, directory, SparePrefix);

    private static List<(int Number, BackingEntry Entry)> NumberedFiles(IBackingStore store, string directory, string prefix)
    {
        var result = new List<(int, BackingEntry)>();
        foreach (var entry in store.ListDirectory(directory))
        {
            if (entry.Kind == BackingEntryKind.File && entry.Name.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(entry.Name.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, null, out int number))
                result.Add((number, entry));
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

    /// <summary>Set by the committing thread while it asks FasterLog to commit: the writes FasterLog issues from
    /// that call are done right there (when no queued write is pending, so the order of writes is kept) instead of
    /// being handed to the write thread and back, which costs two thread wake-ups per commit. The committing thread
    /// holds the journal's append lock at that moment, so only small writes into an existing segment run inline:
    /// appends may wait for a small page-cache write, never for a segment's creation (zero fill and fsyncs) or a
    /// large write.</summary>
    [ThreadStatic]
    internal static bool InlineWrites;

    private const uint InlineWriteLimit = 64 * 1024;

    private void Queue(DeviceIoKind kind, IntPtr memory, int segment, ulong offset, uint length, DeviceIOCompletionCallback callback, object context)
    {
        if (!_requestPool.TryDequeue(out var request))
            request = new DeviceIoRequest(this);
        request.Set(kind, memory, segment, offset, length, callback, context);
        if (kind == DeviceIoKind.Write)
        {
            // Held writes (the watchdog test) must stay on the write thread, never block the committing thread.
            bool inline = InlineWrites && length <= InlineWriteLimit && !_faults.WritesHeld && _segments.ContainsKey(segment);
            if (!(inline && _writes.TryExecuteInline(request)))
                _writes.Enqueue(request);
        }
        else
        {
            _reads.Enqueue(request);
        }
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
                // Marked after the write returned: the next commit flushes it.
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
        // unwritten space. Open checks that every segment has its full preallocated length, so a truncated segment
        // is reported there instead of being read as zeros.
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

    /// <summary>The open segment, created (preallocated, durable, recorded in the superblock) when missing.</summary>
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
            file = new SegmentFile(Preallocate(segment));
            _segments[segment] = file;
            return file;
        }
    }

    /// <summary>Makes <c>log.N</c> from a spare when there is one, otherwise creates it at its full length with real
    /// zeros (not a sparse file, not fallocate's unwritten extents: writing into either changes block metadata,
    /// which fdatasync would then flush on every commit); either way fsyncs it and the directory, and has the
    /// superblock record it. A spare keeps the old segment's log bytes in its data part: they lie past the commit
    /// point until overwritten, where nothing is ever read as log (the same as bytes an uncommitted append left
    /// before a crash; the trailer's data CRC and the scanner's checks cover the tail). Its old trailer must go, or
    /// its slots (valid, but naming the old segment) would read as damage at open. A crash before the superblock
    /// records N leaves an unrecorded <c>log.N</c>, which open removes. Called under <see cref="_openLock"/>.</summary>
    private IBackingFile Preallocate(int segment)
    {
        string path = SegmentPath(_directory, segment);
        int? spare = RenameASpareTo(path);
        var file = _store.OpenFile(path, spare is null ? BackingOpenMode.CreateNew : BackingOpenMode.OpenReadWrite);
        try
        {
            if (spare is null)
            {
                long length = SegmentFileLength(_segmentSizeBits);
                var zeros = s_zeros ??= new byte[ZeroChunk];
                for (long offset = 0; offset < length; offset += zeros.Length)
                    file.Write(offset, zeros.AsSpan(0, (int)Math.Min(zeros.Length, length - offset)));
            }
            else
            {
                file.Write(TrailerOffset(_segmentSizeBits), BlankTrailer);
            }
            file.Flush();
            _store.SyncDirectory(_directory);
            _segmentCreated(segment);
            _logger.LogDebug("Made journal segment {Path} ({How})", path, spare is null ? "zero-filled" : "from spare " + spare);
            return file;
        }
        catch
        {
            file.Dispose();
            TryDelete(path, "the partly made journal segment");
            throw;
        }
    }

    /// <summary>Renames the most recently freed spare that can be renamed to <paramref name="path"/> (deleting any that
    /// cannot); which one, or null when there is none.</summary>
    private int? RenameASpareTo(string path)
    {
        while (_spares.TryPop(out int spare))
        {
            string sparePath = SparePath(_directory, spare);
            try
            {
                _store.Rename(sparePath, path, replace: false);
                return spare;
            }
            catch (IOException e)
            {
                _logger.LogWarning(e, "Could not reuse journal spare {Spare}; deleting it", sparePath);
                TryDelete(sparePath, "the unusable journal spare");
            }
        }
        return null;
    }

    private static readonly byte[] BlankTrailer = new byte[CommitSlot.TrailerSize];

    private void TryDelete(string path, string what)
    {
        try
        {
            _store.DeleteFile(path);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Could not remove {What} {Path}; the next open removes it", what, path);
        }
    }

    /// <summary>Opens the segment a commit trailer goes to, creating it when the commit point is its first byte.</summary>
    public void EnsureSegment(int segment) => GetOrCreate(segment);

    /// <summary>fdatasync of every segment written since the last flush except <paramref name="keep"/>, the one the
    /// commit's trailer goes to (flushed together with it).</summary>
    public void FlushDirtySegmentsExcept(int keep)
    {
        foreach (var pair in _segments)
        {
            var file = pair.Value;
            if (pair.Key != keep && Interlocked.Exchange(ref file.Dirty, 0) != 0)
                FlushData(file);
        }
    }

    /// <summary>fdatasync of one segment: its data and its trailer in one durable operation.</summary>
    public void FlushSegment(int segment)
    {
        var file = GetOrCreate(segment);
        Volatile.Write(ref file.Dirty, 0);
        FlushData(file);
    }

    private static void FlushData(SegmentFile file)
    {
        try
        {
            file.File.FlushData(); // preallocated and written in place: fdatasync has no metadata to write
        }
        catch
        {
            Volatile.Write(ref file.Dirty, 1);
            throw;
        }
    }

    /// <summary>Writes one trailer slot of a segment (durable after <see cref="FlushSegment"/>).</summary>
    public void WriteTrailerSlot(int segment, int slot, ReadOnlySpan<byte> bytes)
    {
        GetOrCreate(segment).File.Write(TrailerOffset(_segmentSizeBits) + (long)slot * CommitSlot.SlotSize, bytes[..CommitSlot.SlotSize]);
    }

    /// <summary>CRC-32C of the log bytes <c>[from, until)</c>, which lie in one segment, read back from its file.</summary>
    public uint DataCrc(long from, long until, byte[] buffer) =>
        ComputeDataCrc(GetOrCreate((int)(from >> _segmentSizeBits)).File, from, until, _segmentSizeBits, buffer);

    /// <summary>CRC-32C of the log bytes <c>[from, until)</c> of a segment file; bytes past its end count as zeros,
    /// as FasterLog reads them.</summary>
    internal static uint ComputeDataCrc(IBackingFile file, long from, long until, int segmentSizeBits, byte[] buffer)
    {
        long offset = from & ((1L << segmentSizeBits) - 1);
        long remaining = until - from;
        uint crc = ~0u;
        while (remaining > 0)
        {
            int want = (int)Math.Min(buffer.Length, remaining);
            var span = buffer.AsSpan(0, want);
            int total = 0;
            while (total < want)
            {
                int n = file.Read(offset + total, span[total..]);
                if (n <= 0)
                    break;
                total += n;
            }
            span[total..].Clear();
            crc = Crc32C.Append(crc, span);
            offset += want;
            remaining -= want;
        }
        return ~crc;
    }

    public override void RemoveSegmentAsync(int segment, AsyncCallback callback, IAsyncResult result)
    {
        // FasterLog calls this from inside an epoch action; deleting and fsyncing the directory there would hold
        // up every thread, so it is queued and done on the pool, or by a checkpoint waiting for the space
        // (DrainRemovals), whichever comes first: a pool whose threads are all blocked must not hold it up.
        _removals.Enqueue((segment, callback, result));
        ThreadPool.QueueUserWorkItem(static device => device.DrainRemovals(), this, preferLocal: false);
    }

    private readonly ConcurrentQueue<(int Segment, AsyncCallback Callback, IAsyncResult Result)> _removals = new();

    /// <summary>Does the segment removals FasterLog has asked for and not yet seen done.</summary>
    internal void DrainRemovals()
    {
        while (_removals.TryDequeue(out var removal))
        {
            try
            {
                RemoveSegment(removal.Segment);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // ObjectDisposedException: a removal still queued when the journal and its store were closed.
                _logger.LogWarning(e, "Could not remove journal segment {Segment} in {Directory}; it is removed at the next truncation",
                    removal.Segment, _directory);
            }
            removal.Callback(removal.Result);
        }
    }

    public override void RemoveSegment(int segment)
    {
        string path = SegmentPath(_directory, segment);
        lock (_openLock)
        {
            if (_segments.TryRemove(segment, out var file))
                file.File.Dispose();
            if (_store.TryGetEntry(path) is null)
                return;
            // Kept for reuse: a rename, nothing to fsync (whichever name a crash leaves, the file is below the log's
            // begin or a spare, and a spare's trailer is blanked durably before it becomes a segment again).
            bool room = RoomForSpares();
            if (!_disposed && room && _spares.Count < _spareLimit && TryKeepAsSpare(path, segment))
                return;
            _store.DeleteFile(path);
            if (!room)
                DeleteSpares(); // the disk is short of space: give back what the spares hold too (synced below)
        }
        // The deletion is what frees the space; make it durable now rather than at some later commit.
        _store.SyncDirectory(_directory);
        _logger.LogDebug("Removed journal segment {Path}", path);
    }

    /// <summary>Spares are kept only while the backing store has at least four times what the limit lets them hold
    /// available, so they never take the last of a filling disk: once it is short, freed segments are deleted and
    /// the spares released.</summary>
    private bool RoomForSpares()
    {
        long reserve = 4L * _spareLimit * SegmentFileLength(_segmentSizeBits);
        try
        {
            return _store.GetStatistics().AvailableBytes >= reserve;
        }
        catch (IOException e)
        {
            _logger.LogDebug(e, "Could not read the free space of {Location}; not keeping journal spares", _store.Location);
            return false;
        }
    }

    private bool TryKeepAsSpare(string path, int segment)
    {
        try
        {
            _store.Rename(path, SparePath(_directory, segment), replace: false);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Could not keep journal segment {Path} as a spare; deleting it", path);
            return false;
        }
        _spares.Push(segment);
        _logger.LogDebug("Kept journal segment {Path} as a spare", path);
        return true;
    }

    /// <summary>Deletes the spares (the caller fsyncs the directory); whether there were any.</summary>
    private bool DeleteSpares()
    {
        bool deleted = false;
        while (_spares.TryPop(out int spare))
        {
            TryDelete(SparePath(_directory, spare), "the journal spare");
            deleted = true;
        }
        return deleted;
    }

    // FasterLog's view of a segment is its data part, not the trailer.
    public override long GetFileSize(int segment)
    {
        string path = SegmentPath(_directory, segment);
        return Math.Min(_store.TryGetEntry(path)?.Length ?? 0, TrailerOffset(_segmentSizeBits));
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
            try
            {
                // A closed journal keeps only the segments its log needs.
                if (DeleteSpares())
                    _store.SyncDirectory(_directory);
            }
            catch (IOException e)
            {
                _logger.LogWarning(e, "Could not remove the journal spares in {Directory}; the next open reuses or removes them", _directory);
            }
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

/// <summary>A queue of device I/Os served, in order, by one dedicated thread; a request may instead run on the
/// caller's thread when nothing is queued or running (<see cref="TryExecuteInline"/>), which keeps the order.</summary>
internal sealed class DeviceIoQueue : IDisposable
{
    private readonly ConcurrentQueue<DeviceIoRequest> _queue = new();
    private readonly QuietSemaphore _pending = new();
    private readonly object _runLock = new();
    private readonly Thread _thread;
    private int _outstanding; // enqueued and not yet finished
    private volatile bool _stopping;

    public DeviceIoQueue(BackingLogDevice device, string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Enqueue(DeviceIoRequest request)
    {
        Interlocked.Increment(ref _outstanding);
        _queue.Enqueue(request);
        _pending.Release();
    }

    /// <summary>Runs <paramref name="request"/> now on this thread if no queued request is waiting or running;
    /// false (and nothing done) otherwise.</summary>
    public bool TryExecuteInline(DeviceIoRequest request)
    {
        if (Volatile.Read(ref _outstanding) != 0 || _stopping || !Monitor.TryEnter(_runLock))
            return false;
        try
        {
            if (Volatile.Read(ref _outstanding) != 0)
                return false;
            request.Execute();
            return true;
        }
        finally
        {
            Monitor.Exit(_runLock);
        }
    }

    private void Run()
    {
        while (true)
        {
            _pending.Wait();
            if (_queue.TryDequeue(out var request))
            {
                lock (_runLock)
                    request.Execute();
                Interlocked.Decrement(ref _outstanding);
            }
            else if (_stopping)
            {
                return;
            }
        }
    }

    /// <summary>Finishes the queued I/Os, then stops the thread.</summary>
    public void Dispose()
    {
        _stopping = true;
        _pending.Release();
        _thread.Join();
    }
}
