using System.Text;
using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// Checks a history against the journal, taken as the witness linearization (anchors §5.3): the records are
/// replayed in LSN order through <see cref="NamespaceModel"/>, each record is matched to the operation that
/// produced it, and
/// (i) every matched operation's result is the model's answer at its LSN; an operation with no record (a
/// failure, a read, a no-op) must equal the model's answer at some point between the records of the operations
/// that returned before it was called and those called after it returned;
/// (ii) LSN order respects real time: no operation that returned before another was called has the larger LSN;
/// (iii) the model's final state is what a fresh mount shows (checked by the caller with <see cref="Final"/>).
/// Returns null when the history is linearizable by this witness, else a report with a short history.
/// </summary>
public static class WitnessChecker
{
    public sealed record Outcome(string? Violation, NamespaceModel Final);

    public static Outcome Check(List<HistoryOp> history, IReadOnlyList<JournalEntry> journal)
    {
        var model = new NamespaceModel();
        var snapshots = new List<NamespaceModel> { model.Clone() };
        var matchedIndex = new Dictionary<HistoryOp, int>();
        var unmatched = history.Where(o => o.Status == "Success").ToList();
        long latestMatchedCall = long.MinValue;
        for (int i = 0; i < journal.Count; i++)
        {
            var record = journal[i].Record;
            // Several operations can fit one record (two unlinks of one name, an overwrite that found the file empty
            // and left no record). Rule (ii) says the record's operation cannot have returned before an operation of
            // a smaller LSN was called; among those that fit, take the one that returned first.
            var fitting = unmatched.Where(o => o.Return >= latestMatchedCall).OrderBy(o => o.Return).ToList();
            HistoryOp? op = Match(record, fitting, model, journal, i) ?? Match(record, unmatched, model, journal, i);
            if (op is not null)
            {
                string expected = model.Answer(op);
                if (expected != "Success")
                    return Fail(history, op, $"at LSN {journal[i].Lsn} the model answers {expected}, the operation answered {op.Status}", model);
                if (op.Kind == OpKind.Append && op.ResultOffset != model.Size[model.Names[op.Path]])
                    return Fail(history, op, $"append went to {op.ResultOffset}, the model's EOF at LSN {journal[i].Lsn} is {model.Size[model.Names[op.Path]]}", model);
                op.Lsn = journal[i].Lsn;
                unmatched.Remove(op);
                matchedIndex[op] = i;
                latestMatchedCall = Math.Max(latestMatchedCall, op.Call);
            }
            else if (!IsBookkeeping(record))
            {
                return Fail(history, null, $"record at LSN {journal[i].Lsn} ({record}) matches no operation of the history", model);
            }
            Apply(model, record);
            snapshots.Add(model.Clone());
        }

        // (ii) real time: walk in LSN order from the end, keeping the earliest return among larger LSNs.
        var byLsn = matchedIndex.Keys.OrderByDescending(o => o.Lsn).ToList();
        HistoryOp? earliest = null;
        foreach (var op in byLsn)
        {
            if (earliest is not null && earliest.Return < op.Call)
                return Fail(history, op, $"#{earliest.Id} returned before #{op.Id} was called but has the larger LSN {earliest.Lsn} > {op.Lsn}", model);
            if (earliest is null || op.Return < earliest.Return)
                earliest = op;
        }

        // (i) for operations without a record: some point of their real-time window gives their answer.
        foreach (var op in history.Where(o => !matchedIndex.ContainsKey(o)))
        {
            int lo = 0, hi = journal.Count;
            foreach (var (m, j) in matchedIndex)
            {
                if (m.Return < op.Call) lo = Math.Max(lo, j + 1);
                if (m.Call > op.Return) hi = Math.Min(hi, j);
            }
            bool ok = false;
            string observed = NamespaceModel.Observed(op);
            for (int k = lo; k <= hi && !ok; k++)
            {
                var s = snapshots[k];
                ok = s.Answer(op) == observed && (op.Status != "Success" || op.Kind is OpKind.Stat or OpKind.List || s.IsNoEffect(op));
            }
            if (!ok)
                return Fail(history, op, $"no state between records {lo} and {hi} answers {observed} (journaled ops around it fix that window)", model);
        }
        return new Outcome(null, model);
    }

    private static HistoryOp? Match(JournalRecord record, List<HistoryOp> candidates, NamespaceModel model, IReadOnlyList<JournalEntry> journal, int index)
    {
        switch (record)
        {
            case CreateRecord c:
                return candidates.FirstOrDefault(o => o.Kind == OpKind.Create && o.Path == c.Path);
            case RenameRecord r:
                return candidates.FirstOrDefault(o => o.Kind == OpKind.Rename && o.Path == r.FromPath && o.Path2 == r.ToPath);
            case RemoveRecord r:
                return candidates.FirstOrDefault(o => o.Kind == OpKind.Unlink && o.Path == r.Path);
            case OrphanRecord o:
                // An orphan record is the unlink of an open file, unless the next namespace record renames onto
                // the same name (the replaced target of a rename was open).
                for (int j = index + 1; j < journal.Count; j++)
                {
                    if (journal[j].Record is RenameRecord rr)
                        return rr.ToPath == o.Path ? null : candidates.FirstOrDefault(x => x.Kind == OpKind.Unlink && x.Path == o.Path);
                    if (journal[j].Record is CreateRecord or RemoveRecord or LinkRecord or OrphanRecord)
                        break;
                }
                return candidates.FirstOrDefault(x => x.Kind == OpKind.Unlink && x.Path == o.Path);
            case LinkRecord l:
                return candidates.FirstOrDefault(o => o.Kind == OpKind.Link && o.Path == l.ExistingPath && o.Path2 == l.NewPath);
            case SetAttributesRecord a:
                return candidates.FirstOrDefault(o => o.Kind == OpKind.SetMode && o.Path == a.Path && o.Mode == (a.Mode & 0x1FF));
            case SetSizeRecord s:
            {
                long before = model.Size.GetValueOrDefault(s.FileId);
                return candidates.FirstOrDefault(o =>
                    model.Names.TryGetValue(o.Path, out var id) && id == s.FileId && (
                        o.Kind == OpKind.Overwrite && s.Eof == 0 ||
                        o.Kind == OpKind.Append && o.ResultOffset == before && o.ResultOffset + o.Length == s.Eof ||
                        o.Kind == OpKind.Write && o.Offset + o.Length == s.Eof && s.Eof > before));
            }
            default:
                return null;
        }
    }

    /// <summary>Records the engine writes on its own: orphan bookkeeping, the tail images of a truncate, the
    /// commit marker of the harness and its size.</summary>
    private static bool IsBookkeeping(JournalRecord r) => r switch
    {
        OrphanRecord or OrphanFreedRecord or ChunkImageRecord or CheckpointRecord => true,
        CreateRecord c => !Workload.Names.Contains(c.Path),
        SetSizeRecord s => !Workload.Names.Contains(s.Path),
        _ => false,
    };

    private static void Apply(NamespaceModel m, JournalRecord record)
    {
        switch (record)
        {
            case CreateRecord c:
                m.Names[c.Path] = c.FileId;
                m.Size[c.FileId] = 0;
                m.Mode[c.FileId] = c.Mode & 0x1FF;
                break;
            case RenameRecord r: m.Move(r.FromPath, r.ToPath); break;
            case RemoveRecord r: m.Names.Remove(r.Path); break;
            case OrphanRecord o: m.Move(o.Path, o.OrphanPath); break;
            case OrphanFreedRecord f: m.Names.Remove(f.OrphanPath); break;
            case LinkRecord l:
                if (m.Names.TryGetValue(l.ExistingPath, out var id)) m.Names[l.NewPath] = id;
                break;
            case SetAttributesRecord a:
                if (m.Names.TryGetValue(a.Path, out var aid)) m.Mode[aid] = a.Mode & 0x1FF;
                break;
            case SetSizeRecord s: m.Size[s.FileId] = s.Eof; break;
            case ChunkImageRecord ci: m.Size[ci.FileId] = ci.Eof; break;
        }
    }

    private static Outcome Fail(List<HistoryOp> history, HistoryOp? at, string why, NamespaceModel model)
    {
        var text = new StringBuilder(why);
        text.AppendLine();
        // A short history: the operations on the same names whose intervals overlap the failing one (or the
        // last 30 when no single operation is at fault).
        var near = at is null
            ? history.TakeLast(30)
            : history.Where(o => (o.Path == at.Path || o.Path2 == at.Path || o.Path == at.Path2 || o.Kind == OpKind.List) &&
                                  o.Call <= at.Return && at.Call <= o.Return || o == at).Take(30);
        foreach (var o in near)
            text.AppendLine((o == at ? "> " : "  ") + o);
        return new Outcome(text.ToString(), model);
    }
}
