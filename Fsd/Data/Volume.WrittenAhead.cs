using Layered.Fsd.Data;
using Layered.Fsd.Locking;
using Layered.Fsd.Nodes;
using Layered.Journal;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

// Writes kept ahead of the valid data length (Fsd/Data/WrittenAhead.cs, docs/architecture.md "Writes kept ahead
// of VDL"). A write that starts on a chunk boundary beyond VDL stores its own chunks and waits, invisible; the write
// that fills the last gap below the kept ranges makes them all valid in one size record, rewriting nothing. Until
// then their size is not journaled (records carry FileNode.JournaledEof), so a crash loses them whole, as it loses
// any write not yet made valid.
public sealed partial class Volume
{
    private enum Extension
    {
        /// <summary>Within the valid data: nothing about the size changes.</summary>
        Within,
        /// <summary>An ordinary extension: the VDL moves to the write's end.</summary>
        Extend,
        /// <summary>Kept ahead: stored, not valid until the gaps below are filled.</summary>
        Ahead,
        /// <summary>The file keeps written-ahead ranges and this write cannot join them: settle them first.</summary>
        SettleFirst,
    }

    /// <summary>Written-ahead ranges one file keeps at most; beyond it (a file written in random order) a further
    /// write settles them, so the bookkeeping stays a short list.</summary>
    private const int MaxWrittenAheadRanges = 64;

    /// <summary>What a write does to the file's size. Caller holds the node's monitor.</summary>
    private Extension ClassifyWrite(FileNode node, long offset, long end, WriteMode mode, bool sizeLock)
    {
        var kept = node.Ahead is { Count: > 0 } a ? a : null;
        // Kept ahead needs the node's monitor around every size decision and the range tickets that order the
        // chunk I/O (test switches can take either away); appends and paging writes never skip a gap. A write from
        // the VDL joins ranges already kept rather than becoming valid before them.
        bool mayKeep = sizeLock && AtomicChunkRewrites && mode == WriteMode.AtOffset && Layout.OffsetInChunk(offset) == 0 &&
                       (offset > node.Vdl || (offset == node.Vdl && kept is not null));
        if (mayKeep && (kept is null || (kept.Count < MaxWrittenAheadRanges && !kept.Overlaps(offset, end))))
            return Extension.Ahead;
        // Any other write journals a state of the file: the ranges decided before it must be in that state.
        if (kept is not null)
            return Extension.SettleFirst;
        return end > node.Vdl ? Extension.Extend : Extension.Within;
    }

    /// <summary>
    /// Records a write kept ahead; when it fills the last gap, every kept range becomes valid in one size record
    /// (returned, else 0), so the state a crash can show has them all or none. Caller holds the node's monitor.
    /// </summary>
    private long KeepAhead(FileNode node, long offset, long end)
    {
        var kept = node.Ahead ??= new WrittenAhead();
        if (kept.Count == 0)
            node.EofBeforeAhead = node.Eof;
        kept.Add(offset, end);
        Switches.KeptAheadObserver?.Invoke(Journal.LastLsn, node.FileId.ToUInt128(), offset, end);
        node.Eof = Math.Max(node.Eof, end);
        if (!kept.ContinuesFrom(node.Vdl))
            return 0;
        node.Vdl = kept.TakeAll()[0].End;
        long lsn = Append(new SetSizeRecord(node.FileId.ToUInt128(), node.Path ?? "", node.JournaledEof, node.Vdl));
        node.SizeLsn = node.LastLsn = lsn;
        return lsn;
    }

    /// <summary>
    /// A write kept ahead failed before its data was stored: its range goes, and when it had made the kept ranges
    /// valid (<paramref name="lsn"/>) and nothing was decided after it, they go back to waiting without it.
    /// </summary>
    private void ForgetFailedAhead(FileNode node, long offset, long end, long lsn, long eofBefore, long vdlBefore)
    {
        lock (node.Sync)
        {
            if (lsn == 0)
            {
                node.Ahead?.Remove(offset, end);
            }
            else if (node.SizeLsn == lsn)
            {
                var kept = node.Ahead ??= new WrittenAhead();
                kept.Add(vdlBefore, node.Vdl);
                kept.Remove(offset, end);
                node.Vdl = vdlBefore;
                node.SizeLsn = node.LastLsn = Append(new SetSizeRecord(node.FileId.ToUInt128(), node.Path ?? "", node.JournaledEof, vdlBefore));
            }
            else
            {
                Log.LogError("A failed write to '/{Path}' could not be undone: later operations changed the file", node.Path);
                return;
            }
            if (node.Eof == end && end > eofBefore)
                node.Eof = eofBefore;
            node.ModCount++;
        }
    }

    /// <summary>
    /// Makes every written-ahead range of the node valid: the gaps below them are stored as zeros (what the write
    /// beyond them would have stored had it not been kept ahead) and the VDL moves to the end of the last one. For
    /// whatever needs the file's bytes settled: a read beyond the VDL, fsync, a size change, a write that would meet
    /// a range, a checkpoint. Called without the node's monitor or any range ticket of the caller.
    /// </summary>
    internal void SettleWrittenAhead(FileNode node)
    {
        (long Start, long End)[] ranges;
        long vdlBefore, lsn;
        ChunkRangeLocks.Ticket ticket;
        lock (node.Sync)
        {
            if (node.Ahead is not { Count: > 0 } kept)
                return;
            if (node.File is null)
            {
                kept.TakeAll(); // the file is gone, and its data with it
                return;
            }
            vdlBefore = node.Vdl;
            ranges = kept.TakeAll();
            node.Vdl = ranges[^1].End;
            lsn = Append(new SetSizeRecord(node.FileId.ToUInt128(), node.Path ?? "", node.JournaledEof, node.Vdl));
            node.SizeLsn = node.LastLsn = lsn;
            node.ModCount++;
            // Decided here, so registered here (ticket order = LSN order). The ranges' own writers registered
            // before: the gap after a range that ends inside a chunk re-encrypts that chunk once they are done.
            ticket = node.Ranges.Register(Layout.ChunkIndexOf(vdlBefore), ChunkRangeLocks.ToEnd, exclusive: true);
            node.Ranges.WaitGranted(ticket, node.Sync);
        }
        try
        {
            long validTo = vdlBefore;
            foreach (var (start, end) in ranges)
            {
                if (start > validTo)
                    WriteChunks(node, start, ReadOnlySpan<byte>.Empty, validTo);
                validTo = end;
            }
        }
        catch
        {
            lock (node.Sync)
            {
                if (node.SizeLsn == lsn)
                {
                    node.Vdl = vdlBefore;
                    (node.Ahead ??= new WrittenAhead()).Restore(ranges);
                    node.SizeLsn = node.LastLsn = Append(new SetSizeRecord(node.FileId.ToUInt128(), node.Path ?? "", node.JournaledEof, vdlBefore));
                    node.ModCount++;
                }
                else
                {
                    Log.LogError("Zeros below data written ahead in '/{Path}' could not be stored, and later operations changed the file", node.Path);
                }
            }
            throw;
        }
        finally
        {
            lock (node.Sync) node.Ranges.Release(ticket, node.Sync);
        }
    }
}
