using Layered.Backing;

namespace Layered.Fsd.Metadata;

/// <summary>
/// What stat needs from the header of a file that is not open (its type, EOF and VDL), so a stat does not open,
/// read and authenticate the header again. Keyed by backing inode; an entry is used only while the backing
/// file's length and change time are what they were when it was read (any write, rename, chmod or header write
/// moves the change time), and the engine also drops it whenever it writes a header or removes a name. Bounded:
/// cleared when full.
/// </summary>
internal sealed class HeaderCache
{
    /// <summary>About 5 MiB at most; a tree of this many recently written files (an untar, a build) stats from
    /// memory. The 10,000-file workload of the benchmark suite thrashed a cache of 8,192.</summary>
    private const int Capacity = 65_536;
    private readonly Dictionary<ulong, Entry> _entries = new();

    private readonly record struct Entry(long Length, DateTime ChangeUtc, DateTime LastWriteUtc, NodeType Type, long Eof, long Vdl);

    public bool TryGet(BackingEntry backing, out NodeType type, out long eof, out long vdl)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(backing.Inode, out var e) && e.Length == backing.Length &&
                e.ChangeUtc == backing.ChangeUtc && e.LastWriteUtc == backing.LastWriteUtc)
            {
                (type, eof, vdl) = (e.Type, e.Eof, e.Vdl);
                return true;
            }
        }
        (type, eof, vdl) = (default, 0, 0);
        return false;
    }

    public void Put(BackingEntry backing, NodeType type, long eof, long vdl)
    {
        lock (_entries)
        {
            if (_entries.Count >= Capacity)
                _entries.Clear();
            _entries[backing.Inode] = new Entry(backing.Length, backing.ChangeUtc, backing.LastWriteUtc, type, eof, vdl);
        }
    }

    public void Invalidate(ulong inode)
    {
        lock (_entries)
            _entries.Remove(inode);
    }
}
