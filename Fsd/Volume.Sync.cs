using Layered.Backing;
using Layered.Fsd.Nodes;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

// Making nodes' states durable in their own headers: one node at a time (fsync, checkpoint of a few nodes), or a
// whole checkpoint at once with two flushes of the whole store (syncfs(2)) instead of two fsyncs per file.
public sealed partial class Volume
{
    /// <summary>Dirty files from which a checkpoint flushes the backing file system as a whole rather than file by
    /// file: below it, syncfs would write back other programs' dirty data for the sake of a few files.</summary>
    private const int FileSystemSyncMinimumFiles = 16;

    private long _batchedCheckpoints;

    /// <summary>Checkpoints that flushed the backing file system as a whole (diagnostics and tests).</summary>
    public long BatchedCheckpoints => Interlocked.Read(ref _batchedCheckpoints);

    /// <summary>What a sync captured of a node under its monitor: the header it will write once the data is durable.</summary>
    private readonly record struct SyncCapture(FileNode Node, IBackingFile File, long Eof, long Vdl, long SizeLsn, long ModCount);

    /// <summary>
    /// Makes a node's state durable in its own header: data fsynced first, then the header (with the LSN of the
    /// last size record it reflects) written and fsynced, so a durable header never claims data that is not.
    /// Releases the node when no handle holds it any more.
    /// </summary>
    internal void SyncNode(FileNode node, bool forCheckpoint)
    {
        if (CaptureSync(node) is { } capture)
        {
            // Every overwrite decided before the captured size is written in place before the header claims it.
            WriteBackPending(node);
            capture.File.Flush();
            if (!WriteCapturedHeader(capture, out var lastWrite))
                return;
            capture.File.Flush();
            CompleteSync(capture, lastWrite);
        }
        if (forCheckpoint)
            ReleaseIfUnused(node);
    }

    /// <summary>
    /// A checkpoint's syncs of many files at once, in the order <see cref="SyncNode"/> keeps for each: every file's
    /// held overwrites written, all data made durable by one flush of the whole store, every header written, all
    /// headers made durable by a second flush. Two file system commits instead of two fsyncs (two commits) per
    /// file. Wherever the store offers <see cref="IBackingStore.SyncAll"/>: the real folder on Linux (syncfs, its
    /// descriptor opened with the store so earlier write-back errors are reported), the in-memory store, and the
    /// recorder over either, so the crash harness sees this path too.
    /// </summary>
    private bool TrySyncNodesTogether(IReadOnlyList<FileNode> nodes)
    {
        if (!Store.CanSyncAll)
            return false;
        int dirty = 0;
        foreach (var node in nodes)
            if (node.Type != NodeType.Directory && node.IsDirty)
                dirty++;
        if (dirty < FileSystemSyncMinimumFiles)
            return false;

        var captures = new List<SyncCapture>(dirty);
        foreach (var node in nodes)
        {
            if (CaptureSync(node) is not { } capture)
                continue;
            WriteBackPending(node);
            captures.Add(capture);
        }
        if (!RecoverySwitches.SkipBatchedDataFlush)
            Store.SyncAll();
        var written = new List<(SyncCapture Capture, DateTime? LastWrite)>(captures.Count);
        var lost = new HashSet<FileNode>();
        foreach (var capture in captures)
        {
            if (WriteCapturedHeader(capture, out var lastWrite))
                written.Add((capture, lastWrite));
            else
                lost.Add(capture.Node);
        }
        Store.SyncAll();
        foreach (var (capture, lastWrite) in written)
            CompleteSync(capture, lastWrite);
        foreach (var node in nodes)
            if (!lost.Contains(node))
                ReleaseIfUnused(node);
        Interlocked.Increment(ref _batchedCheckpoints);
        return true;
    }

    /// <summary>Settles written-ahead ranges and waits for writes in flight, then captures what the header will say;
    /// null when nothing needs it.</summary>
    private SyncCapture? CaptureSync(FileNode node)
    {
        if (node.Type == NodeType.Directory)
            return null;
        SettleWrittenAhead(node);
        lock (node.Sync)
        {
            while (node.Ranges.AnyExclusive)
                Monitor.Wait(node.Sync);
            if (!node.IsDirty || node.File is not { } file || node.Deleted)
                return null;
            return new SyncCapture(node, file, node.JournaledEof, node.Vdl, node.SizeLsn, node.ModCount);
        }
    }

    /// <summary>Writes the captured header once its data is durable; false when the node lost its file meanwhile.</summary>
    private bool WriteCapturedHeader(SyncCapture capture, out DateTime? lastWrite)
    {
        var node = capture.Node;
        lock (node.Sync)
        {
            lastWrite = node.LastWriteUtc;
            if (node.File is null)
                return false;
            WriteHeaderLocked(node, capture.Eof, capture.Vdl, capture.SizeLsn);
            return true;
        }
    }

    /// <summary>The header is durable: the node is clean up to what was captured.</summary>
    private void CompleteSync(SyncCapture capture, DateTime? lastWrite)
    {
        var node = capture.Node;
        lock (node.Sync)
        {
            if (node.CheckpointedModCount < capture.ModCount)
                node.CheckpointedModCount = capture.ModCount;
        }
        RestoreLastWriteTime(node, lastWrite);
        RememberHeader(capture);
    }

    /// <summary>
    /// The header just written is what a stat of the file will need once its node is released: keep it in the
    /// header cache, keyed by the backing attributes as they are now, so the first stat does not reopen, read and
    /// decrypt the header (after an untar and a dropped page cache, a disk read per file). A write after this
    /// moves the backing file's change time and the entry is no longer used; while the node lives it answers.
    /// </summary>
    private void RememberHeader(SyncCapture capture)
    {
        var node = capture.Node;
        if (node.Path is not { } path || node.IsOrphan)
            return;
        try
        {
            if (Store.TryGetEntry(path) is { Kind: BackingEntryKind.File } entry && entry.Inode == node.Inode)
                HeaderCache.Put(entry, node.Type, capture.Eof, capture.Vdl);
        }
        catch (BackingStoreException)
        {
            // Only a cache: the name went away or could not be read; stat will read the header.
        }
    }
}
