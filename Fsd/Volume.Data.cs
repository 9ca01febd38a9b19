using Layered.Crypto;
using Layered.Fsd.Locking;
using Layered.Fsd.Nodes;
using Layered.Journal;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

// The data path. Every read, write and size change of a file decides its outcome under the node's monitor
// (append offset, new EOF/VDL, journal record and so its LSN) and registers the chunk range it touches in the
// same critical section; the chunk I/O then runs outside the monitor once every earlier registered overlapping
// range is done. So per file, ticket order = LSN order = the order overlapping I/O reaches the backing store.
public sealed partial class Volume
{
    /// <summary>Largest file size: keeps every offset computation far from overflow.</summary>
    public const long MaxFileSize = 1L << 50;

    /// <summary>Most stored bytes handled per batch of chunk I/O: the batch's plaintext and stored buffers then
    /// both fit the pool's 1 MiB bucket (a batch of 1 MiB plaintext would store 1 MiB + overheads and take the
    /// 2 MiB bucket).</summary>
    private const int MaxBatchStoredBytes = 1 << 20;

    /// <summary>Chunks in one batch of a request covering chunks <paramref name="first"/>..<paramref name="last"/>:
    /// no more than the request needs, so a 4 KiB write rents 4 KiB buffers, not 1 MiB ones.</summary>
    private int BatchChunks(long first, long last) =>
        (int)Math.Min(last - first + 1, Math.Max(1, MaxBatchStoredBytes / Layout.StoredChunkSize));

    public FsStatus Read(FileHandle handle, long offset, Span<byte> buffer, out int bytesRead)
    {
        bytesRead = 0;
        var node = handle.Node;
        if (handle.Closed || (handle.Access & FileAccess2.Read) == 0)
            return FsStatus.InvalidHandle;
        if (node.Type == NodeType.Directory)
            return FsStatus.IsADirectory;
        if (offset < 0)
            return FsStatus.InvalidParameter;
        if (buffer.Length == 0)
            return FsStatus.Success;
        try
        {
            bytesRead = ReadCore(node, offset, buffer);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
        {
            return status;
        }
    }

    private int ReadCore(FileNode node, long offset, Span<byte> buffer)
    {
        long eof, vdl;
        ChunkRangeLocks.Ticket? ticket = null;
        while (true)
        {
            lock (node.Sync)
            {
                eof = node.Eof;
                vdl = node.Vdl;
                if (offset >= eof)
                    return 0;
                // A read reaching beyond the VDL of a file that keeps written-ahead ranges must see their data: they
                // are settled first. (A range kept after this decision reads as zeros: a write concurrent with it.)
                if (node.Ahead is not { Count: > 0 } || offset + buffer.Length <= vdl)
                {
                    long last = Math.Min(offset + buffer.Length, eof) - 1;
                    if (!Switches.DisableChunkRangeLocks)
                    {
                        ticket = node.Ranges.Register(Layout.ChunkIndexOf(offset), Layout.ChunkIndexOf(last), exclusive: false);
                        node.Ranges.WaitGranted(ticket, node.Sync);
                    }
                    break;
                }
            }
            SettleWrittenAhead(node);
        }
        try
        {
            int n = (int)Math.Min(buffer.Length, eof - offset);
            long validEnd = Math.Min(offset + n, vdl);
            int valid = validEnd > offset ? (int)(validEnd - offset) : 0;
            if (valid > 0)
                ReadValid(node, offset, buffer[..valid], vdl);
            buffer[valid..n].Clear();
            return n;
        }
        finally
        {
            if (ticket is not null)
                lock (node.Sync) node.Ranges.Release(ticket, node.Sync);
        }
    }

    /// <summary>The file's name for an error message, without building a string on every call (the error
    /// messages put the volume-relative path after the file system's own prefix).</summary>
    private static string ErrorName(FileNode node) => node.Path ?? "(unlinked file)";

    /// <summary>Reads and authenticates the stored chunks that cover [offset, offset+dest.Length), all below VDL.</summary>
    private void ReadValid(FileNode node, long offset, Span<byte> dest, long vdl)
    {
        int cs = Layout.ChunkSize;
        long end = offset + dest.Length;
        long chunk = Layout.ChunkIndexOf(offset);
        long lastChunk = Layout.ChunkIndexOf(end - 1);
        int batchChunks = BatchChunks(chunk, lastChunk);
        byte[] plain = Buffers.Rent(batchChunks * cs);
        byte[] stored = Buffers.Rent(batchChunks * Layout.StoredChunkSize);
        try
        {
            while (chunk <= lastChunk)
            {
                long batchLast = Math.Min(lastChunk, chunk + batchChunks - 1);
                long plainStart = Layout.PlainOffsetOf(chunk);
                long plainEnd = Math.Min(Layout.PlainOffsetOf(batchLast + 1), vdl);
                int plainLength = (int)(plainEnd - plainStart);
                int storedLength = (int)Layout.StoredLengthOfRun(plainLength);
                var storedSpan = stored.AsSpan(0, storedLength);
                int got = OverlayPending(node, chunk, storedSpan, ReadFully(node.File!, Layout.StoredOffsetOf(chunk), storedSpan));
                if (got < storedLength)
                {
                    long missing = chunk + (got / Layout.StoredChunkSize);
                    throw new ChunkAuthenticationException("/" + (node.Path ?? ""), missing,
                        "the stored file is shorter than its valid data length says (chunk missing)");
                }
                long copyFrom = Math.Max(offset, plainStart);
                long copyTo = Math.Min(end, plainEnd);
                if (copyFrom == plainStart && copyTo == plainEnd)
                {
                    // The batch lies wholly inside the caller's buffer (aligned streaming reads): decrypt in place.
                    node.CipherFor(Vault).DecryptChunks(chunk, storedSpan, dest.Slice((int)(plainStart - offset), plainLength), ErrorName(node));
                }
                else
                {
                    node.CipherFor(Vault).DecryptChunks(chunk, storedSpan, plain.AsSpan(0, plainLength), ErrorName(node));
                    plain.AsSpan((int)(copyFrom - plainStart), (int)(copyTo - copyFrom)).CopyTo(dest[(int)(copyFrom - offset)..]);
                }
                chunk = batchLast + 1;
            }
        }
        finally
        {
            Buffers.Return(plain);
            Buffers.Return(stored);
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/>. With <see cref="WriteMode.Append"/> the offset is the EOF at the moment the
    /// write takes its place in the file's order; with <see cref="WriteMode.Paging"/> the write is clipped to EOF.
    /// <paramref name="offsetWritten"/> is where the data went.
    /// </summary>
    public FsStatus Write(FileHandle handle, long offset, ReadOnlySpan<byte> data, WriteMode mode, out int bytesWritten, out long offsetWritten)
    {
        bytesWritten = 0;
        offsetWritten = offset;
        var node = handle.Node;
        if (handle.Closed || (handle.Access & FileAccess2.Write) == 0)
            return FsStatus.InvalidHandle;
        if (node.Type != NodeType.File)
            return node.Type == NodeType.Directory ? FsStatus.IsADirectory : FsStatus.InvalidParameter;
        if (ReadOnly)
            return FsStatus.ReadOnlyVolume;
        if (offset < 0 && mode != WriteMode.Append)
            return FsStatus.InvalidParameter;
        try
        {
            bytesWritten = WriteCore(node, offset, data, mode, out offsetWritten);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
        {
            return status;
        }
    }

    private int WriteCore(FileNode node, long offset, ReadOnlySpan<byte> input, WriteMode mode, out long offsetWritten)
    {
        long end, vdlBefore, eofBefore, ioFrom, lsn = 0;
        bool firstData = false, ahead = false;
        ReadOnlySpan<byte> data;
        ChunkRangeLocks.Ticket? ticket = null;
        bool sizeLock = !Switches.DisableNodeSizeLock;
        while (true)
        {
            bool settleFirst = false;
            if (sizeLock) Monitor.Enter(node.Sync);
            try
            {
                if (mode == WriteMode.Append)
                    offset = node.Eof;
                int length = input.Length;
                if (mode == WriteMode.Paging)
                {
                    if (offset >= node.Eof)
                    {
                        offsetWritten = offset;
                        return 0;
                    }
                    length = (int)Math.Min(length, node.Eof - offset);
                }
                offsetWritten = offset;
                if (length == 0)
                    return 0;
                data = input[..length];
                end = offset + length;
                if (end > MaxFileSize)
                    throw new FsException(FsStatus.FileTooLarge, node.Path ?? "", "The write would exceed the maximum file size");

                eofBefore = node.Eof;
                vdlBefore = node.Vdl;
                ioFrom = Math.Min(offset, vdlBefore);
                switch (ClassifyWrite(node, offset, end, mode, sizeLock))
                {
                    case Extension.SettleFirst:
                        settleFirst = true;
                        continue; // the finally below leaves the monitor and settles
                    case Extension.Ahead:
                        ahead = true;
                        ioFrom = offset;
                        if (node.HeaderMissing)
                            WriteHeaderLocked(node, 0, 0, 0);
                        firstData = node.SizeLsn == 0;
                        lsn = KeepAhead(node, offset, end);
                        break;
                    case Extension.Extend:
                        if (node.HeaderMissing)
                            WriteHeaderLocked(node, 0, 0, 0);
                        firstData = node.SizeLsn == 0;
                        node.Eof = Math.Max(node.Eof, end);
                        node.Vdl = Math.Max(node.Vdl, end);
                        lsn = Append(new SetSizeRecord(node.FileId.ToUInt128(), node.Path ?? "", node.Eof, node.Vdl));
                        node.SizeLsn = node.LastLsn = lsn;
                        break;
                }
                node.ModCount++;
                if (!Switches.DisableChunkRangeLocks)
                {
                    ticket = RegisterRange(node, Layout.ChunkIndexOf(ioFrom), Layout.ChunkIndexOf(end - 1), sizeLock);
                }
            }
            finally
            {
                if (sizeLock) Monitor.Exit(node.Sync);
                if (settleFirst)
                    SettleWrittenAhead(node);
            }
            break;
        }

        try
        {
            // The first data of a file must not reach the disk before its header (written at creation, not yet
            // fsynced). Normally recovery restores a header that never got stored from the create record, and a
            // zero header reads as "never stored" (an empty file). While the vault still holds plaintext files
            // (adoption), a header-less file would read as plaintext instead: then flush the header first.
            if (firstData && MixedContent)
                node.File!.Flush();
            // A write kept ahead stores its own chunks only: none of them holds valid data, and the gap below it
            // stays unstored until the writes filling it arrive or it is settled.
            WriteChunks(node, offset, data, ahead ? offset : vdlBefore);
        }
        catch
        {
            if (ahead)
                ForgetFailedAhead(node, offset, end, lsn, eofBefore, vdlBefore);
            else
                RevertFailedExtension(node, lsn, eofBefore, vdlBefore);
            throw;
        }
        finally
        {
            lock (node.Sync)
            {
                node.LastWriteUtc = UtcNow();
                if (ticket is not null)
                    node.Ranges.Release(ticket, node.Sync);
            }
        }
        WriteBackIfLarge(node);
        return data.Length;
    }

    /// <summary>Registers an exclusive chunk range and waits for it. The range table always needs the node's
    /// monitor, even when a test switch removed it from the size decision (<paramref name="monitorHeld"/> false).</summary>
    private static ChunkRangeLocks.Ticket RegisterRange(FileNode node, long first, long last, bool monitorHeld)
    {
        if (monitorHeld)
        {
            var t = node.Ranges.Register(first, last, exclusive: true);
            node.Ranges.WaitGranted(t, node.Sync);
            return t;
        }
        lock (node.Sync)
        {
            var t = node.Ranges.Register(first, last, exclusive: true);
            node.Ranges.WaitGranted(t, node.Sync);
            return t;
        }
    }

    /// <summary>
    /// Encrypts and stores the chunks from min(offset, vdlBefore) to the end of the write: zeros for the gap
    /// between the old valid data length and the offset, read-modify-write for partly covered chunks that hold
    /// valid data, and one positional write per batch of contiguous chunks.
    /// </summary>
    private void WriteChunks(FileNode node, long offset, ReadOnlySpan<byte> data, long vdlBefore)
    {
        int cs = Layout.ChunkSize;
        long end = offset + data.Length;
        long newValid = Math.Max(vdlBefore, end);
        long chunk = Layout.ChunkIndexOf(Math.Min(offset, vdlBefore));
        long lastChunk = Layout.ChunkIndexOf(end - 1);
        int batchChunks = BatchChunks(chunk, lastChunk);
        byte[] plain = Buffers.Rent(batchChunks * cs);
        byte[] stored = Buffers.Rent(batchChunks * Layout.StoredChunkSize);
        byte[] old = Buffers.Rent(Layout.StoredChunkSize);
        bool atomic = AtomicChunkRewrites;
        long overwrittenChunks = Layout.ChunkCount(vdlBefore);
        try
        {
            while (chunk <= lastChunk)
            {
                long batchLast = Math.Min(lastChunk, chunk + batchChunks - 1);
                long batchStart = Layout.PlainOffsetOf(chunk);
                int plainLength = 0;
                for (long c = chunk; c <= batchLast; c++)
                {
                    long cStart = Layout.PlainOffsetOf(c);
                    int newLen = Layout.PlainLengthOfChunk(c, newValid);
                    var slot = plain.AsSpan((int)(cStart - batchStart), newLen);
                    long from = Math.Max(offset, cStart), to = Math.Min(end, cStart + newLen);
                    bool coversAll = from == cStart && to == cStart + newLen;
                    if (!coversAll)
                    {
                        int oldLen = Layout.PlainLengthOfChunk(c, vdlBefore);
                        if (oldLen > 0)
                            ReadChunk(node, c, oldLen, old, slot[..oldLen]);
                        slot[oldLen..].Clear();
                    }
                    if (to > from)
                        data.Slice((int)(from - offset), (int)(to - from)).CopyTo(slot[(int)(from - cStart)..]);
                    plainLength += newLen;
                }
                int storedLength = (int)Layout.StoredLengthOfRun(plainLength);
                node.CipherFor(Vault).EncryptChunks(chunk, plain.AsSpan(0, plainLength), stored.AsSpan(0, storedLength));
                int direct = 0;
                if (atomic)
                {
                    // Chunks that held valid data are overwrites: journaled and held until a commit covers them.
                    for (long c = chunk; c <= batchLast && c < overwrittenChunks; c++)
                    {
                        int len = Layout.StoredLengthOfChunk(Layout.PlainLengthOfChunk(c, newValid));
                        HoldOverwrite(node, c, stored.AsSpan(direct, len));
                        direct += len;
                    }
                }
                if (direct < storedLength)
                    node.File!.Write(Layout.StoredOffsetOf(chunk) + direct, stored.AsSpan(direct, storedLength - direct));
                chunk = batchLast + 1;
            }
        }
        finally
        {
            Buffers.Return(plain);
            Buffers.Return(stored);
            Buffers.Return(old);
        }
    }

    /// <summary>Reads and authenticates one stored chunk holding <paramref name="plainLength"/> bytes.</summary>
    private void ReadChunk(FileNode node, long chunk, int plainLength, byte[] scratch, Span<byte> plain)
    {
        int storedLength = Layout.StoredLengthOfChunk(plainLength);
        var stored = scratch.AsSpan(0, storedLength);
        if (OverlayPending(node, chunk, stored, ReadFully(node.File!, Layout.StoredOffsetOf(chunk), stored)) < storedLength)
            throw new ChunkAuthenticationException("/" + (node.Path ?? ""), chunk,
                "the stored file is shorter than its valid data length says (chunk missing)");
        node.CipherFor(Vault).DecryptChunks(chunk, stored, plain, ErrorName(node));
    }

    /// <summary>
    /// A write that extended the file failed before its data was stored (disk full, I/O error). If nothing was
    /// decided after it, its size change is undone and journaled, so the file never claims data it lacks.
    /// </summary>
    private void RevertFailedExtension(FileNode node, long lsn, long eofBefore, long vdlBefore)
    {
        if (lsn == 0)
            return;
        lock (node.Sync)
        {
            if (node.SizeLsn != lsn)
            {
                Log.LogError("A failed write to '/{Path}' could not be undone: later operations changed the file", node.Path);
                return;
            }
            node.Eof = eofBefore;
            node.Vdl = vdlBefore;
            node.SizeLsn = node.LastLsn = Append(new SetSizeRecord(node.FileId.ToUInt128(), node.Path ?? "", eofBefore, vdlBefore));
            node.ModCount++;
        }
    }

    /// <summary>Sets the end of file (truncate / ftruncate / SetFileSize). Growing adds zeros without storing
    /// them (they lie beyond VDL); shrinking re-encrypts the new last chunk and cuts the stored file.</summary>
    public FsStatus SetFileSize(FileHandle handle, long size)
    {
        var node = handle.Node;
        if (handle.Closed || (handle.Access & FileAccess2.Write) == 0)
            return FsStatus.InvalidHandle;
        if (node.Type != NodeType.File)
            return node.Type == NodeType.Directory ? FsStatus.IsADirectory : FsStatus.InvalidParameter;
        if (ReadOnly)
            return FsStatus.ReadOnlyVolume;
        if (size < 0)
            return FsStatus.InvalidParameter;
        if (size > MaxFileSize)
            return FsStatus.FileTooLarge;
        try
        {
            Truncate(node, size);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
        {
            return status;
        }
    }

    /// <summary>NT allocation size: smaller than EOF truncates (as NTFS does); larger is kept as a hint.</summary>
    public FsStatus SetAllocationSize(FileHandle handle, long allocationSize)
    {
        var node = handle.Node;
        if (allocationSize < 0)
            return FsStatus.InvalidParameter;
        long eof;
        lock (node.Sync)
        {
            eof = node.Eof;
            node.AllocationHint = allocationSize;
        }
        return allocationSize < eof ? SetFileSize(handle, allocationSize) : FsStatus.Success;
    }

    internal void Truncate(FileNode node, long size)
    {
        long vdlBefore, newVdl, lsn;
        ChunkRangeLocks.Ticket? ticket = null;
        bool sizeLock = !Switches.DisableNodeSizeLock;
        if (sizeLock) Monitor.Enter(node.Sync);
        try
        {
            // A size change settles the bytes first: a written-ahead range cut or moved under it must not become valid.
            while (sizeLock && node.Ahead is { Count: > 0 })
            {
                Monitor.Exit(node.Sync);
                SettleWrittenAhead(node);
                Monitor.Enter(node.Sync);
            }
            if (size == node.Eof)
                return;
            if (node.HeaderMissing)
                WriteHeaderLocked(node, 0, 0, 0);
            vdlBefore = node.Vdl;
            newVdl = Math.Min(vdlBefore, size);
            long fromChunk = Layout.ChunkIndexOf(Math.Min(size, node.Eof));
            node.Eof = size;
            node.Vdl = newVdl;
            lsn = Append(new SetSizeRecord(node.FileId.ToUInt128(), node.Path ?? "", size, newVdl));
            node.SizeLsn = node.LastLsn = lsn;
            node.ModCount++;
            if (!Switches.DisableChunkRangeLocks)
            {
                ticket = RegisterRange(node, fromChunk, ChunkRangeLocks.ToEnd, sizeLock);
            }
        }
        finally
        {
            if (sizeLock) Monitor.Exit(node.Sync);
        }

        try
        {
            if (newVdl < vdlBefore)
                CutStoredData(node, newVdl, vdlBefore, lsn);
        }
        finally
        {
            lock (node.Sync)
            {
                node.LastWriteUtc = UtcNow();
                if (ticket is not null)
                    node.Ranges.Release(ticket, node.Sync);
            }
        }
    }

    /// <summary>
    /// Shrinks the stored data from <paramref name="vdlBefore"/> to <paramref name="newVdl"/>. Two steps on the
    /// backing store (rewrite the new last chunk, cut the file), so the size record and the new last chunk's image
    /// are made durable in the journal first: after a crash between the steps, recovery redoes them.
    /// </summary>
    private void CutStoredData(FileNode node, long newVdl, long vdlBefore, long sizeLsn)
    {
        long commitTo = sizeLsn;
        int tail = Layout.OffsetInChunk(newVdl);
        long tailChunk = Layout.ChunkIndexOf(newVdl);
        byte[]? image = null;
        if (tail > 0)
        {
            byte[] scratch = Buffers.Rent(Layout.StoredChunkSize);
            byte[] plain = Buffers.Rent(Layout.ChunkSize);
            try
            {
                ReadChunk(node, tailChunk, Layout.PlainLengthOfChunk(tailChunk, vdlBefore), scratch, plain.AsSpan(0, Layout.PlainLengthOfChunk(tailChunk, vdlBefore)));
                image = new byte[Layout.StoredLengthOfChunk(tail)];
                node.CipherFor(Vault).EncryptChunk(tailChunk, plain.AsSpan(0, tail), image);
            }
            finally
            {
                Buffers.Return(scratch);
                Buffers.Return(plain);
            }
            long eof;
            lock (node.Sync) eof = node.JournaledEof;
            commitTo = Append(new ChunkImageRecord(node.FileId.ToUInt128(), node.Path ?? "", tailChunk, image, eof, newVdl));
            lock (node.Sync) node.LastLsn = Math.Max(node.LastLsn, commitTo);
        }
        Journal.Commit(commitTo);
        // Held overwrites from the new last chunk on are superseded: the cut discards them, and the last chunk's
        // new image was made from their content.
        DropPendingFrom(node, tailChunk);
        if (image is not null)
            node.File!.Write(Layout.StoredOffsetOf(tailChunk), image);
        node.File!.SetLength(Layout.StoredLengthFor(newVdl));
    }

    /// <summary>fsync / FlushFileBuffers of one file: its data, then its size records, durable.</summary>
    public FsStatus Flush(FileHandle handle)
    {
        var node = handle.Node;
        if (handle.Closed)
            return FsStatus.InvalidHandle;
        if (node.Type == NodeType.Directory)
        {
            try
            {
                if (node.Path is { } p)
                    Store.SyncDirectory(p);
                return FsStatus.Success;
            }
            catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
            {
                return status;
            }
        }
        if (ReadOnly)
            return FsStatus.Success;
        try
        {
            long lsn;
            SettleWrittenAhead(node);
            WriteBackPending(node);
            lock (node.Sync) lsn = node.LastLsn;
            node.File?.Flush();
            if (lsn > 0)
                Journal.Commit(lsn);
            SyncName(node);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, node.Path ?? "", out var status))
        {
            return status;
        }
    }

    /// <summary>
    /// fsync promises the file survives a crash, and under POSIX a new name is durable only once its directory
    /// is: sync the directory the first time a node is flushed after it was created or renamed.
    /// </summary>
    private void SyncName(FileNode node)
    {
        if (node.NameDurable || node.IsOrphan)
            return;
        var path = node.Path;
        if (path is null)
            return;
        using (Locks.Lookup(FsPath.Parent(path)))
        {
            if (node.Path != path)
                return;
            Store.SyncDirectory(FsPath.Parent(path));
        }
        node.NameDurable = true;
    }

    /// <summary>The engine's own header writes move the backing file's mtime; put back the user's.</summary>
    private void RestoreLastWriteTime(FileNode node, DateTime? lastWrite)
    {
        if (lastWrite is null)
            return;
        var path = node.Path;
        if (path is null || node.IsOrphan)
            return;
        using (Locks.Lookup(FsPath.Parent(path)))
        {
            if (node.Path != path)
                return;
            try
            {
                Store.SetTimes(path, null, lastWrite);
            }
            catch (Layered.Backing.BackingStoreException e)
            {
                Log.LogDebug(e, "Could not restore the write time of '/{Path}'", path);
            }
        }
    }

    private void ReleaseIfUnused(FileNode node)
    {
        lock (Nodes.Sync)
        {
            lock (node.Sync)
            {
                if (node.HandleCount > 0 || node.IsDirty)
                    return;
            }
            Nodes.Remove(node);
        }
        DisposeNodeResources(node);
    }
}
