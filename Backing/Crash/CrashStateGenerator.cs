namespace Layered.Backing;

/// <summary>
/// Enumerates the states a crash could leave, from a <see cref="Recording"/> (ALICE/CrashMonkey style, at the
/// backing-store interface). The model, documented in docs/architecture.md:
/// <list type="bullet">
/// <item>Metadata operations (everything but Write) persist in recorded order: a crash leaves a prefix of
/// them, as a journaling file system's ordered transactions do.</item>
/// <item>A Write persists for certain only once a later FlushFile of the same file (same identity) or a later
/// SyncAll (syncfs of the whole store) completed; until then it may be lost, or land in any order relative to
/// the other unflushed writes of its file (never across a SetLength or FlushFile of that file, or a SyncAll).</item>
/// <item>A write in flight at the cut may be torn at a sector boundary: a prefix of its bytes persists.</item>
/// </list>
/// States: (a) <see cref="CrashStateKind.Prefix"/> at every cut (exhaustive) or at and around every
/// durability point plus a seeded sample between them (bounded); (b) <see cref="CrashStateKind.WeakPersistence"/>
/// right before each durability point (issued, not returned: the most unflushed writes), right after it, and at
/// the end: seeded samples dropping and reordering unflushed writes;
/// (c) <see cref="CrashStateKind.TornWrite"/>: a write cut at a sector boundary, everything before it intact.
/// </summary>
public sealed class CrashStateGenerator
{
    private readonly IReadOnlyList<RecordedOperation> _operations;
    private readonly CrashStateOptions _options;

    public CrashStateGenerator(Recording recording, CrashStateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recording);
        _operations = recording.Operations;
        _options = options ?? new CrashStateOptions();
        if (_options.SectorSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.SectorSize, "SectorSize must be positive");
        }
    }

    /// <summary>Every state, prefixes first, then torn writes, then weak-persistence samples; deterministic for
    /// a given recording and options.</summary>
    public IEnumerable<CrashState> Enumerate()
    {
        var produced = 0;
        foreach (var state in PrefixStates().Concat(TornStates()).Concat(WeakStates()))
        {
            if (produced++ >= _options.MaxStates)
            {
                yield break;
            }
            yield return state;
        }
    }

    private IEnumerable<CrashState> PrefixStates()
    {
        foreach (var cut in PrefixCuts())
        {
            var last = cut == 0 ? "nothing issued" : $"after {_operations[cut - 1]}";
            yield return new CrashState($"prefix cut {cut}/{_operations.Count} ({last})", CrashStateKind.Prefix, cut,
                _operations.Take(cut).ToArray(), []);
        }
    }

    private SortedSet<int> PrefixCuts()
    {
        var count = _operations.Count;
        if (_options.Exhaustive)
        {
            return new SortedSet<int>(Enumerable.Range(0, count + 1));
        }
        var cuts = new SortedSet<int> { 0, count };
        foreach (var op in _operations.Where(o => o.IsDurabilityPoint))
        {
            cuts.Add(op.Index);     // the fsync was issued but had not returned
            cuts.Add(op.Index + 1); // the fsync returned
        }
        var others = Enumerable.Range(1, Math.Max(0, count - 1)).Where(c => !cuts.Contains(c)).ToList();
        var random = new Random(_options.Seed);
        Shuffle(others, random);
        cuts.UnionWith(others.Take(_options.MaxIntermediateCuts));
        return cuts;
    }

    private IEnumerable<CrashState> TornStates()
    {
        var sector = _options.SectorSize;
        var candidates = _operations
            .Where(o => o.Kind == RecordedOperationKind.Write && TearLengths(o, sector).Any())
            .ToList();
        if (!_options.Exhaustive && candidates.Count > _options.MaxTornWrites)
        {
            var random = new Random(_options.Seed + 1);
            Shuffle(candidates, random);
            candidates = candidates.Take(_options.MaxTornWrites).OrderBy(o => o.Index).ToList();
        }
        foreach (var write in candidates)
        {
            var lengths = TearLengths(write, sector).ToList();
            var chosen = _options.Exhaustive ? lengths : lengths.Take(1).Concat(lengths.Skip(1).TakeLast(1)).ToList();
            foreach (var length in chosen)
            {
                var torn = write with { Length = length, Data = write.Data[..length] };
                var operations = _operations.Take(write.Index).Append(torn).ToArray();
                yield return new CrashState($"torn {write}: first {length} of {write.Length} bytes persisted",
                    CrashStateKind.TornWrite, write.Index + 1, operations, []);
            }
        }
    }

    /// <summary>Lengths at which a write may tear: up to each sector boundary strictly inside it.</summary>
    private static IEnumerable<int> TearLengths(RecordedOperation write, int sector)
    {
        var end = write.Offset + write.Length;
        for (var boundary = (write.Offset / sector + 1) * sector; boundary < end; boundary += sector)
        {
            yield return (int)(boundary - write.Offset);
        }
    }

    private IEnumerable<CrashState> WeakStates()
    {
        var nextFlush = NextDurabilityOfSameFile();
        var cuts = new SortedSet<int> { _operations.Count };
        foreach (var op in _operations.Where(o => o.IsDurabilityPoint))
        {
            cuts.Add(op.Index);     // issued but not returned: what it was to make durable may be partly there
            cuts.Add(op.Index + 1); // returned
        }
        var samples = _options.Exhaustive ? _options.WeakStatesPerCut * 4 : _options.WeakStatesPerCut;
        var random = new Random(_options.Seed + 2);
        foreach (var cut in cuts)
        {
            var unflushed = Enumerable.Range(0, cut)
                .Where(i => _operations[i].Kind == RecordedOperationKind.Write && nextFlush[i] >= cut)
                .ToList();
            if (unflushed.Count == 0)
            {
                continue;
            }
            var seen = new HashSet<string>();
            for (var sample = 0; sample < samples; sample++)
            {
                var dropped = unflushed.Where(_ => random.Next(2) == 0).ToHashSet();
                if (dropped.Count == 0)
                {
                    dropped.Add(unflushed[random.Next(unflushed.Count)]);
                }
                var operations = WeakOperations(cut, unflushed.ToHashSet(), dropped, random);
                var key = string.Join(',', operations.Select(o => o.Index));
                if (!seen.Add(key))
                {
                    continue;
                }
                var order = string.Join(',', operations.Where(o => o.Kind == RecordedOperationKind.Write && unflushed.Contains(o.Index)).Select(o => "#" + o.Index));
                yield return new CrashState(
                    $"weak cut {cut}/{_operations.Count}: dropped {string.Join(',', dropped.Order().Select(i => "#" + i))}; unflushed writes kept in order [{order}]",
                    CrashStateKind.WeakPersistence, cut, operations, dropped.Order().ToArray());
            }
        }
    }

    /// <summary>Operations before the cut with the dropped writes left out and each file's kept unflushed
    /// writes shuffled among themselves, up to the next SetLength, FlushFile or CreateFile of that file or the
    /// next SyncAll.</summary>
    private List<RecordedOperation> WeakOperations(int cut, HashSet<int> unflushed, HashSet<int> dropped, Random random)
    {
        var result = new List<RecordedOperation>(cut);
        var pending = new Dictionary<ulong, List<RecordedOperation>>();
        for (var i = 0; i < cut; i++)
        {
            var op = _operations[i];
            if (op.Kind == RecordedOperationKind.Write && unflushed.Contains(i))
            {
                if (!dropped.Contains(i))
                {
                    if (!pending.TryGetValue(op.FileIdentity, out var list))
                    {
                        pending[op.FileIdentity] = list = [];
                    }
                    list.Add(op);
                }
                continue;
            }
            if (op.Kind is RecordedOperationKind.SetLength or RecordedOperationKind.FlushFile or RecordedOperationKind.CreateFile
                && pending.Remove(op.FileIdentity, out var segment))
            {
                Shuffle(segment, random);
                result.AddRange(segment);
            }
            else if (op.Kind == RecordedOperationKind.SyncAll)
            {
                // No write issued before a SyncAll that precedes the cut is unflushed, so nothing is pending here;
                // kept so a SyncAll stays a barrier for every file whatever the unflushed set.
                AppendPending(pending, result, random);
            }
            result.Add(op);
        }
        AppendPending(pending, result, random);
        return result;
    }

    /// <summary>Every file's pending kept writes, shuffled within the file, files in identity order.</summary>
    private static void AppendPending(Dictionary<ulong, List<RecordedOperation>> pending, List<RecordedOperation> result, Random random)
    {
        foreach (var identity in pending.Keys.Order().ToList())
        {
            var segment = pending[identity];
            Shuffle(segment, random);
            result.AddRange(segment);
        }
        pending.Clear();
    }

    /// <summary>For each operation, the index of the next FlushFile of the same file or the next SyncAll,
    /// whichever comes first (or int.MaxValue).</summary>
    private int[] NextDurabilityOfSameFile()
    {
        var next = new int[_operations.Count];
        var upcoming = new Dictionary<ulong, int>();
        var nextSyncAll = int.MaxValue;
        for (var i = _operations.Count - 1; i >= 0; i--)
        {
            var op = _operations[i];
            next[i] = Math.Min(nextSyncAll, upcoming.TryGetValue(op.FileIdentity, out var flush) ? flush : int.MaxValue);
            if (op.Kind == RecordedOperationKind.SyncAll)
            {
                nextSyncAll = i;
            }
            else if (op.Kind == RecordedOperationKind.FlushFile)
            {
                upcoming[op.FileIdentity] = i;
            }
            else if (op.Kind == RecordedOperationKind.CreateFile)
            {
                upcoming.Remove(op.FileIdentity); // an earlier file with a reused inode number is another file
            }
        }
        return next;
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
