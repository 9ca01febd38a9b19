using System.Buffers;
using Layered.Backing;
using Layered.Crypto;

namespace Layered.Fsd.Data;

/// <summary>
/// The in-place overwrites of one file's stored chunks that are held back until the journal commit that covers
/// their redo images (<c>ChunkImageRecord</c>). An overwrite destroys the chunk it replaces, so a crash that tears
/// it must find the new image durable in the journal; holding the write until a group commit (fsync, checkpoint,
/// the write-back threshold) covers it makes that true without a journal commit per write.
///
/// All methods are called with the file node's monitor held, except <see cref="WriteAll"/>, which runs under the
/// node's whole-file exclusive range ticket: no other operation on the file touches the set then.
/// Arrays come from the volume's pending-image pool and go back once written (or dropped).
/// </summary>
internal sealed class PendingChunkWrites(PendingBytesCounter volumeTotal, ArrayPool<byte> arrays)
{
    private readonly Dictionary<long, Entry> _chunks = new();
    private int _count;

    private readonly struct Entry(byte[] stored, int length)
    {
        public readonly byte[] Stored = stored;
        public readonly int Length = length;
    }

    /// <summary>How many chunks are pending. Safe to read without the monitor for a chunk whose range the caller
    /// holds: its entry cannot appear or vanish meanwhile, so zero means "not pending".</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Stored bytes held (bounds memory; the write path writes back beyond a threshold).</summary>
    public long Bytes
    {
        get => _bytes;
        private set
        {
            volumeTotal.Add(value - _bytes);
            _bytes = value;
        }
    }

    private long _bytes;

    /// <summary>The LSN of the newest image held: the journal must be durable up to it before any is written.</summary>
    public long MaxLsn { get; private set; }

    public void Put(long chunk, ReadOnlySpan<byte> stored, long lsn)
    {
        var array = arrays.Rent(stored.Length);
        stored.CopyTo(array);
        if (_chunks.Remove(chunk, out var old))
        {
            Bytes -= old.Length;
            arrays.Return(old.Stored);
        }
        _chunks[chunk] = new Entry(array, stored.Length);
        Bytes += stored.Length;
        MaxLsn = Math.Max(MaxLsn, lsn);
        Volatile.Write(ref _count, _chunks.Count);
    }

    /// <summary>Copies the pending stored bytes of <paramref name="chunk"/> to <paramref name="destination"/>;
    /// returns their length, or -1 when the chunk is not pending.</summary>
    public int CopyTo(long chunk, Span<byte> destination)
    {
        if (!_chunks.TryGetValue(chunk, out var e))
            return -1;
        e.Stored.AsSpan(0, e.Length).CopyTo(destination);
        return e.Length;
    }

    /// <summary>A truncate cut the file below <paramref name="firstChunk"/>: those overwrites no longer exist.</summary>
    public void DropFrom(long firstChunk)
    {
        if (_chunks.Count == 0)
            return;
        foreach (var (chunk, e) in _chunks)
        {
            if (chunk < firstChunk)
                continue;
            _chunks.Remove(chunk);
            Bytes -= e.Length;
            arrays.Return(e.Stored);
        }
        Volatile.Write(ref _count, _chunks.Count);
    }

    /// <summary>Writes every pending chunk in place. The caller made the journal durable up to
    /// <see cref="MaxLsn"/> first and holds the file's whole-file exclusive ticket.</summary>
    public void WriteAll(IBackingFile file, ChunkLayout layout)
    {
        foreach (var (chunk, e) in _chunks)
            file.Write(layout.StoredOffsetOf(chunk), e.Stored.AsSpan(0, e.Length));
    }

    /// <summary>Forgets every chunk (after <see cref="WriteAll"/>, or when the file is gone).</summary>
    public void Clear()
    {
        foreach (var e in _chunks.Values)
            arrays.Return(e.Stored);
        _chunks.Clear();
        Bytes = 0;
        MaxLsn = 0;
        Volatile.Write(ref _count, 0);
    }
}
