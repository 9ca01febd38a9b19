using System.Diagnostics;

namespace Layered.Fsd.Data;

/// <summary>
/// Byte ranges of one file written at or beyond its valid data length while a gap lay below them: stored (or being
/// stored under their writers' range tickets) but not yet valid, so they read as zeros until they become valid
/// together. Each starts on a chunk boundary; they are sorted, disjoint, and joined where they touch. Guarded by
/// the node's monitor.
/// </summary>
/// <remarks>
/// Why they exist: with writeback caching the kernel flushes a file in several WRITE requests at once, and a
/// request thread that takes a later one first used to fill the gap below it with zeros at once, which turned the
/// earlier request, arriving a moment later, into an overwrite of stored chunks: a journaled chunk image held until
/// a commit and an fsync of the file (tens of MiB of journal per GiB streamed). Ranges kept here instead become
/// valid, all at once and without any rewrite, when the writes filling the gaps arrive (<see cref="ContinuesFrom"/>):
/// all at once because a crash must never keep a later write to the file and lose an earlier one. Whatever else
/// touches the file's data meanwhile (a read beyond the VDL, fsync, a size change, any other write, a checkpoint)
/// settles them first: the gaps are filled with zeros, as the write beyond them would have done.
/// </remarks>
internal sealed class WrittenAhead
{
    private readonly List<(long Start, long End)> _ranges = [];

    public int Count => _ranges.Count;

    public bool Overlaps(long start, long end)
    {
        foreach (var (s, e) in _ranges)
            if (start < e && s < end)
                return true;
        return false;
    }

    /// <summary>Adds [start, end), joined with a range it touches.</summary>
    public void Add(long start, long end)
    {
        Debug.Assert(start < end && !Overlaps(start, end));
        int i = 0;
        while (i < _ranges.Count && _ranges[i].Start < start)
            i++;
        if (i > 0 && _ranges[i - 1].End == start)
        {
            start = _ranges[i - 1].Start;
            _ranges.RemoveAt(--i);
        }
        if (i < _ranges.Count && _ranges[i].Start == end)
        {
            end = _ranges[i].End;
            _ranges.RemoveAt(i);
        }
        _ranges.Insert(i, (start, end));
    }

    /// <summary>Forgets [start, end), which lies inside one range (its write failed); the rest of that range stays.</summary>
    public void Remove(long start, long end)
    {
        for (int i = 0; i < _ranges.Count; i++)
        {
            var (s, e) = _ranges[i];
            if (start < s || end > e)
                continue;
            _ranges.RemoveAt(i);
            if (end < e)
                _ranges.Insert(i, (end, e));
            if (s < start)
                _ranges.Insert(i, (s, start));
            return;
        }
    }

    /// <summary>True when the ranges leave no gap above <paramref name="vdl"/>: one range, starting there.</summary>
    public bool ContinuesFrom(long vdl) => _ranges.Count == 1 && _ranges[0].Start == vdl;

    /// <summary>Takes every range, in order, leaving none.</summary>
    public (long Start, long End)[] TakeAll()
    {
        var all = _ranges.ToArray();
        _ranges.Clear();
        return all;
    }

    /// <summary>Puts back ranges taken by <see cref="TakeAll"/> (their gap fill failed).</summary>
    public void Restore(IEnumerable<(long Start, long End)> ranges)
    {
        foreach (var (s, e) in ranges)
            if (!Overlaps(s, e))
                Add(s, e);
    }
}
