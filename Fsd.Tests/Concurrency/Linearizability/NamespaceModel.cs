using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// The sequential model the journal is replayed through: names (workload names and orphan names) to file ids, and
/// per file id its journaled size and valid data length, the writes kept ahead of that length (not yet valid, no
/// record of their own), and permission bits. <see cref="Judge"/> says whether an operation's answer and records are
/// what a sequential file system would have given in this state.
/// </summary>
/// <remarks>
/// Kept-ahead writes follow the engine's rule (docs/architecture.md, "Writes kept ahead of VDL"): a write at offset
/// o to [o, e) is kept when o is on a chunk boundary beyond the VDL (or at it while others are kept) and overlaps
/// no kept range, at most <see cref="MaxKeptRanges"/> of them. The size a stat shows counts them at once; the journal
/// counts them when a size record makes them valid: the one the filling write appends in the same step (the ranges
/// then continue from the VDL), or a settle, which fills the gaps with zeros before anything else touches the
/// file. A settle changes nothing a caller can see, so it is replayed like any record but is nobody's decision.
/// </remarks>
public sealed class NamespaceModel
{
    public const long ChunkSize = Layered.Concurrency.Tests.Harness.SharedVault.ChunkSize;
    public const int MaxKeptRanges = 64;

    public Dictionary<string, UInt128> Names = new(StringComparer.Ordinal);
    public Dictionary<UInt128, long> Size = new();
    public Dictionary<UInt128, long> Vdl = new();
    public Dictionary<UInt128, List<(long Start, long End)>> Kept = new();
    public Dictionary<UInt128, uint> Mode = new();

    public NamespaceModel Clone() => new()
    {
        Names = new(Names, StringComparer.Ordinal),
        Size = new(Size),
        Vdl = new(Vdl),
        Kept = Kept.ToDictionary(k => k.Key, k => new List<(long, long)>(k.Value)),
        Mode = new(Mode),
    };

    public bool Exists(string p) => Names.ContainsKey(p);

    private List<(long Start, long End)> KeptOf(UInt128 id) => Kept.TryGetValue(id, out var k) ? k : [];

    /// <summary>The size a caller sees: the journaled one, or the end of a write kept beyond it.</summary>
    public long Visible(UInt128 id)
    {
        long size = Size[id];
        foreach (var (_, end) in KeptOf(id))
            size = Math.Max(size, end);
        return size;
    }

    /// <summary>Whether the size record <paramref name="s"/> would settle kept writes here (fill their gaps with
    /// zeros), rather than be an operation's own decision.</summary>
    public bool IsSettle(SetSizeRecord s)
    {
        var kept = KeptOf(s.FileId);
        return kept.Count > 0 && !(kept.Count == 1 && kept[0].Start == Vdl.GetValueOrDefault(s.FileId));
    }

    /// <summary>
    /// Null when <paramref name="op"/>, decided in this state, may answer what it answered and append
    /// <paramref name="records"/> (its records other than chunk images; for a data operation only the write part,
    /// the open being judged on its own with <see cref="JudgeOpen"/>). Otherwise what the model expected.
    /// </summary>
    public string? Judge(HistoryOp op, IReadOnlyList<JournalRecord> records)
    {
        bool a = Exists(op.Path), b = Exists(op.Path2);
        UInt128 idA = a ? Names[op.Path] : 0, idB = b ? Names[op.Path2] : 0;
        switch (op.Kind)
        {
            case OpKind.Create:
                return a ? Expect(op, records, "AlreadyExists")
                         : Expect(op, records, "Success", r => r is CreateRecord c && c.Path == op.Path);
            case OpKind.Overwrite:
                if (!a) return Expect(op, records, "NotFound");
                if (KeptOf(idA).Count > 0) return "the writes kept ahead settled before the truncation";
                return Visible(idA) == 0 ? Expect(op, records, "Success")
                                         : Expect(op, records, "Success", r => r is SetSizeRecord s && s.FileId == idA && s.Eof == 0 && s.Vdl == 0);
            case OpKind.Rename:
                if (!a) return Expect(op, records, "NotFound");
                if (op.Path == op.Path2 || b && idA == idB) return Expect(op, records, "Success");
                if (b && records.Count == 2) // the replaced file was open: it keeps an orphan name
                    return Expect(op, records, "Success", r => r is OrphanRecord o && o.Path == op.Path2 && o.FileId == idB,
                        r => r is RenameRecord n && n.FromPath == op.Path && n.ToPath == op.Path2);
                return Expect(op, records, "Success", r => r is RenameRecord n && n.FromPath == op.Path && n.ToPath == op.Path2);
            case OpKind.Unlink:
                if (!a) return Expect(op, records, "NotFound");
                return Expect(op, records, "Success", r => r is RemoveRecord m && m.Path == op.Path ||
                                                            r is OrphanRecord o && o.Path == op.Path && o.FileId == idA);
            case OpKind.Link:
                if (!a) return Expect(op, records, "NotFound");
                if (b) return Expect(op, records, "AlreadyExists");
                return Expect(op, records, "Success", r => r is LinkRecord l && l.ExistingPath == op.Path && l.NewPath == op.Path2);
            case OpKind.SetMode:
                if (!a) return Expect(op, records, "NotFound");
                return Expect(op, records, "Success", r => r is SetAttributesRecord s && s.Path == op.Path && (s.Mode & 0x1FF) == op.Mode);
            case OpKind.Append:
            case OpKind.Write:
                return "a data operation is judged by JudgeWrite";
            case OpKind.Stat:
                if (!a) return Expect(op, records, "NotFound");
                return Expect(op, records, "Success") ?? (op.ResultSize == Visible(idA) && op.ResultMode == Mode[idA]
                    ? null : $"Success size {Visible(idA)} mode {Convert.ToString(Mode[idA], 8)}");
            case OpKind.List:
                string names = string.Join(",", Names.Keys.Where(Workload.Names.Contains).Order(StringComparer.Ordinal));
                return Expect(op, records, "Success") ?? (op.ResultNames == names ? null : $"Success [{names}]");
            default:
                return $"unknown operation {op.Kind}";
        }
    }

    /// <summary>The open part of a data operation: null when the name led to file <paramref name="fileId"/>
    /// (0: the open failed, so the name must be missing).</summary>
    public string? JudgeOpen(HistoryOp op, UInt128 fileId)
    {
        bool exists = Names.TryGetValue(op.Path, out var id);
        if (fileId == 0)
            return exists ? $"'{op.Path}' exists (file {RecordText.Id(id)})" : null;
        return exists && id == fileId ? null : exists ? $"'{op.Path}' is file {RecordText.Id(id)}, not {RecordText.Id(fileId)}" : $"'{op.Path}' does not exist";
    }

    /// <summary>The write part of a data operation on file <paramref name="fileId"/>, decided in this state (any
    /// settle it needed first already replayed): its records are a kept-ahead write (and the size record that makes
    /// the kept writes valid when it fills the last gap), or the size record of an extension, or none.</summary>
    public string? JudgeWrite(HistoryOp op, UInt128 fileId, IReadOnlyList<AppendedRecord> records)
    {
        if (!Size.TryGetValue(fileId, out long size))
            return $"file {RecordText.Id(fileId)} is unknown to the model";
        long vdl = Vdl[fileId];
        var kept = KeptOf(fileId);
        long visible = Visible(fileId);
        long offset = op.Kind == OpKind.Append ? visible : op.Offset;
        if (op.Kind == OpKind.Append && op.ResultOffset != visible)
            return $"append at {visible} (the file's EOF), not at {op.ResultOffset}";
        long end = offset + op.Length;
        string state = $" (file {RecordText.Id(fileId)} has size {size}, valid {vdl}, kept [{string.Join(" ", kept.Select(k => $"{k.Start}..{k.End}"))}])";

        bool mayKeep = op.Kind == OpKind.Write && offset % ChunkSize == 0 && (offset > vdl || (offset == vdl && kept.Count > 0));
        bool joins = kept.Count == 0 || (kept.Count < MaxKeptRanges && !kept.Any(k => offset < k.End && k.Start < end));
        if (mayKeep && joins)
        {
            var after = WithRange(kept, offset, end);
            bool fills = after.Count == 1 && after[0].Start == vdl;
            string? why = fills
                ? Expect(op, records, "Success", r => r.Keep is { } k && k.FileId == fileId && k.Offset == offset && k.End == end,
                    r => r.Record is SetSizeRecord s && s.FileId == fileId && s.Vdl == after[0].End && s.Eof == Math.Max(size, after[0].End))
                : Expect(op, records, "Success", r => r.Keep is { } k && k.FileId == fileId && k.Offset == offset && k.End == end);
            return why is null ? null : $"a write kept ahead: {why}{state}";
        }
        if (kept.Count > 0)
            return $"the writes kept ahead settled first{state}";
        string? plain = end > vdl
            ? Expect(op, records, "Success", r => r.Record is SetSizeRecord s && s.FileId == fileId && s.Eof == Math.Max(size, end) && s.Vdl == end)
            : Expect(op, records, "Success");
        return plain is null ? null : $"{plain}{state}";
    }

    /// <summary>The kept ranges with [start, end) added, joined where they touch (the engine's WrittenAhead.Add).</summary>
    private static List<(long Start, long End)> WithRange(List<(long Start, long End)> kept, long start, long end)
    {
        var ranges = new List<(long Start, long End)>(kept) { (start, end) };
        ranges.Sort();
        var joined = new List<(long Start, long End)>();
        foreach (var r in ranges)
        {
            if (joined.Count > 0 && joined[^1].End == r.Start)
                joined[^1] = (joined[^1].Start, r.End);
            else
                joined.Add(r);
        }
        return joined;
    }

    /// <summary>Null when the operation answered <paramref name="status"/> with exactly the records the shapes
    /// describe, in order (journal records, or appended records where a write may be kept ahead).</summary>
    private static string? Expect<T>(HistoryOp op, IReadOnlyList<T> records, string status, params Func<T, bool>[] shapes)
    {
        bool ok = op.Status == status && records.Count == shapes.Length;
        for (int i = 0; ok && i < shapes.Length; i++)
            ok = shapes[i](records[i]);
        return ok ? null : $"{status} with {shapes.Length} record(s)";
    }

    /// <summary>Applies one record or kept-ahead write; returns why it cannot apply in this state (null when it can).</summary>
    public string? Apply(AppendedRecord appended)
    {
        if (appended.Keep is { } keep)
        {
            if (!Size.ContainsKey(keep.FileId)) return $"file {RecordText.Id(keep.FileId)} was never created";
            var kept = KeptOf(keep.FileId);
            if (kept.Any(k => keep.Offset < k.End && k.Start < keep.End)) return "it overlaps a write kept before";
            Kept[keep.FileId] = WithRange(kept, keep.Offset, keep.End);
            return null;
        }
        switch (appended.Record)
        {
            case CreateRecord c:
                if (Exists(c.Path)) return $"'{c.Path}' already exists";
                Names[c.Path] = c.FileId;
                Size[c.FileId] = 0;
                Vdl[c.FileId] = 0;
                Kept.Remove(c.FileId);
                Mode[c.FileId] = c.Mode & 0x1FF;
                return null;
            case RenameRecord r:
                if (!Names.Remove(r.FromPath, out var moved)) return $"'{r.FromPath}' does not exist";
                Names[r.ToPath] = moved;
                return null;
            case RemoveRecord r:
                return Names.Remove(r.Path) ? null : $"'{r.Path}' does not exist";
            case OrphanRecord o:
                if (!Names.Remove(o.Path, out var orphaned)) return $"'{o.Path}' does not exist";
                Names[o.OrphanPath] = orphaned;
                return orphaned == o.FileId ? null : $"'{o.Path}' is file {RecordText.Id(orphaned)}";
            case OrphanFreedRecord f:
                return Names.Remove(f.OrphanPath) ? null : $"orphan '{f.OrphanPath}' does not exist";
            case LinkRecord l:
                if (!Names.TryGetValue(l.ExistingPath, out var linked)) return $"'{l.ExistingPath}' does not exist";
                if (Exists(l.NewPath)) return $"'{l.NewPath}' already exists";
                Names[l.NewPath] = linked;
                return null;
            case SetAttributesRecord a:
                if (!Names.TryGetValue(a.Path, out var changed)) return $"'{a.Path}' does not exist";
                Mode[changed] = a.Mode & 0x1FF;
                return null;
            case SetSizeRecord s:
            {
                if (!Size.ContainsKey(s.FileId)) return $"file {RecordText.Id(s.FileId)} was never created";
                var kept = KeptOf(s.FileId);
                if (kept.Count > 0)
                {
                    // The filling write's record or a settle: either makes every kept write valid, and the journaled
                    // size becomes what a stat already showed.
                    long validTo = kept[^1].End;
                    if (s.Vdl != validTo || s.Eof != Math.Max(Size[s.FileId], validTo))
                        return $"writes are kept up to {validTo} over size {Size[s.FileId]}, and it does not make them valid";
                    Kept.Remove(s.FileId);
                }
                Size[s.FileId] = s.Eof;
                Vdl[s.FileId] = s.Vdl;
                return null;
            }
            case ChunkImageRecord i:
                // Appended under the node lock with the node's size: it must be the size the journal gives at its LSN.
                return Size.TryGetValue(i.FileId, out long size) && size == i.Eof
                    ? null : $"it carries EOF {i.Eof}, the journal's size of file {RecordText.Id(i.FileId)} at its LSN is {Size.GetValueOrDefault(i.FileId)}";
            default:
                return null;
        }
    }
}
