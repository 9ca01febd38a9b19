using Layered.Journal;

namespace Layered.Concurrency.Tests.Harness;

/// <summary>
/// The journal's account of the namespace and of file sizes: its records applied in LSN order to a map of
/// names to file ids and a map of file ids to sizes. If the engine applied two operations to the store in an
/// order other than their LSNs, this account disagrees with the store (the minifilter's bug of DESIGN §1).
/// </summary>
public sealed class JournalReplayModel
{
    private readonly Dictionary<string, UInt128> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<UInt128, long> _eof = new();

    public static JournalReplayModel Replay(IEnumerable<JournalEntry> entries)
    {
        var model = new JournalReplayModel();
        long previous = 0;
        foreach (var e in entries)
        {
            if (e.Lsn <= previous)
                throw new InvalidOperationException($"journal LSNs out of order: {e.Lsn} after {previous}");
            previous = e.Lsn;
            model.Apply(e.Record);
        }
        return model;
    }

    private void Apply(JournalRecord record)
    {
        switch (record)
        {
            case CreateRecord c:
                _names[c.Path] = c.FileId;
                break;
            case RenameRecord r:
                Move(r.FromPath, r.ToPath);
                break;
            case RemoveRecord r:
                _names.Remove(r.Path);
                break;
            case LinkRecord l:
                if (_names.TryGetValue(l.ExistingPath, out var id))
                    _names[l.NewPath] = id;
                break;
            case OrphanRecord o:
                // Removing the last name of an open file, or about to replace it by a rename: either way the name
                // given up is the orphan's from now on (a rename then re-fills the old name).
                Move(o.Path, o.OrphanPath);
                break;
            case OrphanFreedRecord f:
                _names.Remove(f.OrphanPath);
                break;
            case SetSizeRecord s:
                _eof[s.FileId] = s.Eof;
                break;
            case ChunkImageRecord ci:
                _eof[ci.FileId] = ci.Eof;
                break;
        }
    }

    private void Move(string from, string to)
    {
        foreach (var (name, id) in _names.ToList())
        {
            if (name == from || name.StartsWith(from + "/", StringComparison.Ordinal))
            {
                _names.Remove(name);
                _names[to + name[from.Length..]] = id;
            }
        }
    }

    /// <summary>Root-level names (the vault's private area and the commit marker left out) with their sizes.</summary>
    public SortedDictionary<string, long> RootFiles()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, id) in _names)
        {
            if (name.Contains('/') || name.StartsWith('.') || name == RaceVolume.MarkerName || id == 0)
                continue;
            result[name] = _eof.GetValueOrDefault(id);
        }
        return result;
    }
}
