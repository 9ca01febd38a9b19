using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using Layered.Fsd.Data;
using Layered.Fsd.Locking;
using Layered.Fsd.Nodes;
using Layered.Journal;

namespace Layered.Fsd;

// Atomic chunk rewrites (docs/journal.md, "Atomic chunk rewrites and recovery"). Overwriting a stored chunk in
// place destroys its old content, so a torn overwrite would leave a chunk that fails authentication. Instead each
// overwrite appends the chunk's new encrypted image to the journal and is held in the node's pending set; the
// in-place write happens only after a journal commit covers the image (write-back at fsync, at checkpoint, or
// when the set grows past a threshold). Recovery redoes images newer than the header, so a torn in-place write
// is always repaired from a durable image, and an overwrite whose image never became durable never touched disk.
public sealed partial class Volume
{
    /// <summary>Pending stored bytes per file beyond which the writer itself commits and writes them back.</summary>
    private const long PendingWriteBackThreshold = 8L << 20;

    /// <summary>Pending stored bytes in the whole volume beyond which a background checkpoint writes them back.</summary>
    private const long PendingVolumeCheckpointThreshold = 16L << 20;

    private readonly ConditionalWeakTable<FileNode, PendingChunkWrites> _pending = new();
    private readonly PendingBytesCounter _pendingBytes = new();
    private ArrayPool<byte>? _pendingArrays;

    /// <summary>
    /// Copies of held chunks live from an overwrite to the checkpoint that writes them back: long enough to reach
    /// gen2 and die there, where ArrayPool.Shared (a few dozen arrays per size) let most of them become garbage and
    /// the mount's resident size grow to the next full GC. This pool keeps as many as the volume-wide bound holds.
    /// </summary>
    private ArrayPool<byte> PendingArrays => LazyInitializer.EnsureInitialized(ref _pendingArrays, () =>
        ArrayPool<byte>.Create(Layout.StoredChunkSize,
            (int)Math.Max(16, PendingVolumeCheckpointThreshold / (long)BitOperations.RoundUpToPowerOf2((uint)Layout.StoredChunkSize) + 64)));

    [ThreadStatic] private static byte[]? t_imageScratch;

    internal RecoveryTestSwitches RecoverySwitches => _options.RecoverySwitches;

    internal bool AtomicChunkRewrites => _options.AtomicChunkRewrites && !Switches.DisableChunkRangeLocks;

    /// <summary>Makes a node's pending set on its first overwrite (a method group cached once, not a closure per write).</summary>
    private ConditionalWeakTable<FileNode, PendingChunkWrites>.CreateValueCallback NewPendingSet =>
        _newPendingSet ??= _ => new PendingChunkWrites(_pendingBytes, PendingArrays);

    private ConditionalWeakTable<FileNode, PendingChunkWrites>.CreateValueCallback? _newPendingSet;

    /// <summary>The node's pending overwrites, or null when it never had any.</summary>
    private PendingChunkWrites? PendingOf(FileNode node) => _pending.TryGetValue(node, out var p) ? p : null;

    /// <summary>
    /// Journals the new image of stored chunk <paramref name="chunk"/> (which holds valid data) and holds the
    /// overwrite until a commit covers it. Called in the I/O phase under the writer's exclusive range ticket.
    /// </summary>
    private void HoldOverwrite(FileNode node, long chunk, ReadOnlySpan<byte> stored)
    {
        byte[] image;
        if (stored.Length == Layout.StoredChunkSize)
            image = t_imageScratch ??= new byte[Layout.StoredChunkSize];
        else
            image = new byte[stored.Length];
        if (image.Length != stored.Length) // a thread that served a volume with another chunk size
            image = t_imageScratch = new byte[stored.Length];
        stored.CopyTo(image);
        lock (node.Sync)
        {
            // The size in the record is the node's size at this LSN: recovery may take it as the file's state.
            long lsn = Append(new ChunkImageRecord(node.FileId.ToUInt128(), node.Path ?? "", chunk, image, node.JournaledEof, node.Vdl));
            node.LastLsn = Math.Max(node.LastLsn, lsn);
            _pending.GetValue(node, NewPendingSet).Put(chunk, stored, lsn);
        }
        if (_pendingBytes.Bytes > PendingVolumeCheckpointThreshold)
            QueueBackgroundCheckpoint();
    }

    /// <summary>Overlays pending overwrites on stored chunks just read from the file.
    /// <paramref name="got"/> is how many bytes the file gave; returns how many leading bytes are now present.</summary>
    private int OverlayPending(FileNode node, long firstChunk, Span<byte> stored, int got)
    {
        var pending = PendingOf(node);
        if (pending is null || pending.Count == 0)
            return got;
        int present = got;
        lock (node.Sync)
        {
            int at = 0;
            for (long c = firstChunk; at < stored.Length; c++)
            {
                int length = Math.Min(Layout.StoredChunkSize, stored.Length - at);
                int n = pending.CopyTo(c, stored.Slice(at, length));
                if (n >= 0 && at <= present)
                    present = Math.Max(present, at + n);
                at += length;
            }
        }
        return present;
    }

    /// <summary>A truncate cut the stored data below <paramref name="firstChunk"/>.</summary>
    private void DropPendingFrom(FileNode node, long firstChunk)
    {
        var pending = PendingOf(node);
        if (pending is null)
            return;
        lock (node.Sync) pending.DropFrom(firstChunk);
    }

    /// <summary>
    /// Writes the node's pending overwrites in place: under a whole-file exclusive ticket (after every earlier
    /// operation on the file, before every later one), once the journal is durable up to their newest image and
    /// the file's earlier direct writes are flushed.
    /// </summary>
    internal void WriteBackPending(FileNode node)
    {
        var pending = PendingOf(node);
        if (pending is null)
            return;
        ChunkRangeLocks.Ticket ticket;
        long upTo;
        lock (node.Sync)
        {
            if (pending.Count == 0)
                return;
            ticket = node.Ranges.Register(0, ChunkRangeLocks.ToEnd, exclusive: true);
            node.Ranges.WaitGranted(ticket, node.Sync);
            upTo = pending.MaxLsn;
        }
        try
        {
            if (pending.Count == 0)
                return;
            if (node.File is not { } file)
            {
                lock (node.Sync) pending.Clear(); // the file is gone: its overwrites with it
                return;
            }
            Journal.Commit(upTo);
            // The file's other writes (new chunks written directly) become durable before any chunk is replaced:
            // after a crash, a replaced chunk then always belongs to a state recovery can complete, never to one
            // whose other chunks were lost while the old content it needs is gone.
            file.Flush();
            pending.WriteAll(file, Layout);
            lock (node.Sync) pending.Clear();
        }
        finally
        {
            lock (node.Sync) node.Ranges.Release(ticket, node.Sync);
        }
    }

    /// <summary>Bounds the memory held by one file's pending overwrites.</summary>
    private void WriteBackIfLarge(FileNode node)
    {
        var pending = PendingOf(node);
        if (pending is null)
            return;
        bool large;
        lock (node.Sync) large = pending.Bytes > PendingWriteBackThreshold;
        if (large)
            WriteBackPending(node);
    }
}
