namespace Layered.Fsd.Locking;

/// <summary>
/// Per-file locks on ranges of chunks, in registration (ticket) order: a range is granted when no earlier
/// registered range that overlaps it (and is exclusive, or is itself exclusive) is still held. Registration
/// happens under the node's monitor at the operation's decision point (e.g. an append reserving
/// [EOF, EOF+len)); the wait happens on the same monitor, so a truncate registered after an append always
/// waits for that append's data, and one registered before it is always seen by it. Deadlock-free: waits only
/// ever go to earlier tickets. All methods must be called with the node's monitor held.
/// </summary>
internal sealed class ChunkRangeLocks
{
    public const long ToEnd = long.MaxValue;
    private readonly List<Ticket> _held = new();
    private readonly Stack<Ticket> _free = new();
    private long _next;

    public bool IsEmpty => _held.Count == 0;

    public bool AnyExclusive
    {
        get
        {
            foreach (var t in _held)
                if (t.Exclusive) return true;
            return false;
        }
    }

    public Ticket Register(long firstChunk, long lastChunk, bool exclusive)
    {
        var t = _free.Count > 0 ? _free.Pop() : new Ticket();
        t.First = firstChunk;
        t.Last = lastChunk;
        t.Exclusive = exclusive;
        t.Number = _next++;
        _held.Add(t);
        return t;
    }

    /// <summary>Waits (releasing <paramref name="monitor"/>) until the ticket may proceed.</summary>
    public void WaitGranted(Ticket t, object monitor)
    {
        while (!IsGranted(t))
            Monitor.Wait(monitor);
    }

    private bool IsGranted(Ticket t)
    {
        foreach (var o in _held)
        {
            if (o.Number >= t.Number)
                continue;
            if ((o.Exclusive || t.Exclusive) && o.First <= t.Last && t.First <= o.Last)
                return false;
        }
        return true;
    }

    public void Release(Ticket t, object monitor)
    {
        _held.Remove(t);
        _free.Push(t);
        Monitor.PulseAll(monitor);
    }

    internal sealed class Ticket
    {
        public long First, Last, Number;
        public bool Exclusive;
    }
}
