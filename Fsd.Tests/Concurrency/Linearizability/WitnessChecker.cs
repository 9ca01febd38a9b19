using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>What went wrong, and the one or two operations it concerns (ids in the history).</summary>
public sealed record Violation(string Rule, int OpA, int OpB, string Message);

/// <summary>
/// Checks a history against the journal taken as the witness linearization (anchors §5.3). Every record is tied to
/// the call that appended it (<see cref="AppendTap"/>), so nothing is guessed. Records are replayed in LSN order
/// through <see cref="NamespaceModel"/>:
/// (i) an operation that appended records takes effect at its first one: the model, in the state just before it,
/// must give the same answer and expect exactly those records (a data operation's open must also have found the
/// written file under its name at some point of the open's interval); an operation with no record (a failure, a
/// stat, a list, a no-op) must get its answer from some state between the journaled operations that returned before
/// it was called and those called after it returned;
/// (ii) LSN order respects real time: an operation that returned before another was called has the smaller LSN;
/// (iii) the final state is what a fresh mount shows (checked by the caller with <see cref="Outcome.Final"/>).
/// Writes kept ahead of the valid data length are in the journal's order too (the tap places each right after the
/// last record appended when it was decided) and decide their operation like a record. A size record that only
/// settles kept writes (<see cref="NamespaceModel.IsSettle"/>) changes nothing a caller sees: it is replayed, but it
/// decides nothing, whichever call appended it (the write or truncation that had to settle them, or a release).
/// </summary>
public static class WitnessChecker
{
    /// <summary>The verdict, the model's final state, and how many size records made kept-ahead writes valid (a
    /// filling write's or a settle: the workload must reach them).</summary>
    public sealed record Outcome(Violation? Violation, NamespaceModel Final, int MadeValid = 0);

    private sealed class Placed(HistoryOp op, int first, int last, long decisionCall)
    {
        public HistoryOp Op = op;
        public int First = first, Last = last;
        /// <summary>When the call that appended the records began (the write call of a data operation).</summary>
        public long DecisionCall = decisionCall;
    }

    public static Outcome Check(IReadOnlyList<HistoryOp> history, IReadOnlyList<AppendedRecord> journal)
    {
        var included = history.ToHashSet();
        var records = journal.Where(r => r.Owner is null || included.Contains(r.Owner)).ToList();
        var index = new Dictionary<AppendedRecord, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < records.Count; i++)
            index[records[i]] = i;

        var (settles, madeValid) = FindSettles(records);
        bool Decides(AppendedRecord r) => r.Record is not ChunkImageRecord && !settles.Contains(r);

        // Each journaled operation's place: the records that decide it (chunk images only carry data).
        var placed = new Dictionary<HistoryOp, Placed>();
        foreach (var op in history)
        {
            var decisive = op.Records.Where(Decides).ToList();
            if (decisive.Count > 0)
                placed[op] = new Placed(op, index[decisive[0]], index[decisive[^1]], op.IsDataOp ? op.WriteCall : op.Call);
        }
        var decidedAt = placed.Values.ToDictionary(p => p.First, p => p);

        var model = new NamespaceModel();
        var states = new List<NamespaceModel>(records.Count + 1);
        var midOperation = new bool[records.Count + 1]; // states inside a multi-record operation are never observable
        int lastOwned = records.FindLastIndex(r => r.Owner is not null);
        for (int i = 0; i < records.Count; i++)
        {
            states.Add(model.Clone());
            var r = records[i];
            if (r.Owner is null && i < lastOwned)
                return Fail(model, "harness", -1, -1, $"record {r} was appended by no operation of the workload");
            if (decidedAt.TryGetValue(i, out var p))
            {
                var op = p.Op;
                var decisive = op.Records.Where(Decides).ToList();
                if (op.IsDataOp)
                {
                    string? why = model.JudgeWrite(op, FileOf(decisive[0]), decisive);
                    if (why is not null)
                        return Fail(model, "(i) result at LSN", op.Id, -1, $"at LSN {r.Lsn} the model expects {why}; the operation gave {op}");
                }
                else if (decisive.Any(x => x.Keep is not null))
                {
                    return Fail(model, "(i) result at LSN", op.Id, -1, $"#{op.Id} is no write, yet a write was kept ahead in it");
                }
                else
                {
                    string? why = model.Judge(op, decisive.Select(x => x.Record!).ToList());
                    if (why is not null)
                        return Fail(model, "(i) result at LSN", op.Id, -1, $"at LSN {r.Lsn} the model expects {why}; the operation gave {op}");
                }
                for (int k = p.First + 1; k <= p.Last; k++)
                    midOperation[k] = true;
            }
            else if (r.Owner is { } owner && !r.InRelease && Decides(r) && !placed[owner].Contains(i))
            {
                return Fail(model, "(i) result at LSN", owner.Id, -1, $"record {r} does not belong to the records that decide #{owner.Id}");
            }
            // The last close of an orphan frees it; when the file has other names, it first makes the file's state
            // durable, which settles writes kept ahead (a size record, and the image of a chunk the zeros complete).
            bool partOfASettle = settles.Contains(r) || r.Record is ChunkImageRecord && r.Owner!.ReleaseRecords.Any(settles.Contains);
            if (r.InRelease && r.Record is not OrphanFreedRecord && !partOfASettle)
                return Fail(model, "release", r.Owner!.Id, -1, $"releasing a handle appended {r}; only freeing an orphan (or settling writes kept ahead of a file with other names) may");
            string? cannot = model.Apply(r);
            if (cannot is not null)
                return Fail(model, "replay", r.Owner?.Id ?? -1, -1, $"record {r} cannot apply: {cannot}");
        }
        states.Add(model.Clone());

        // (ii) real time: scan journaled operations by return time, keeping the largest LSN position returned so far.
        var byCall = placed.Values.OrderBy(p => p.DecisionCall).ToList();
        var byReturn = placed.Values.OrderBy(p => p.Op.Return).ToList();
        {
            int j = 0;
            Placed? latest = null;
            foreach (var p in byCall)
            {
                for (; j < byReturn.Count && byReturn[j].Op.Return < p.DecisionCall; j++)
                    if (latest is null || byReturn[j].Last > latest.Last)
                        latest = byReturn[j];
                if (latest is not null && latest.Last > p.First)
                    return Fail(model, "(ii) real time", latest.Op.Id, p.Op.Id,
                        $"#{latest.Op.Id} returned before #{p.Op.Id} was called, but its record lsn {records[latest.Last].Lsn} follows lsn {records[p.First].Lsn}");
            }
        }

        // (i) for what no record places: some observable state of the interval gives the answer.
        var fileOfInode = new Dictionary<ulong, UInt128>();
        foreach (var op in history)
            if (op.Kind == OpKind.Create && op.Status == "Success" && op.Records.Count > 0 && op.Records[0].Record is CreateRecord c)
                fileOfInode[op.Inode] = c.FileId;
        foreach (var op in history)
        {
            if (op.IsDataOp)
            {
                UInt128 fileId = placed.TryGetValue(op, out var p) ? FileOf(records[p.First])
                    : op.Inode == 0 ? 0 : fileOfInode.GetValueOrDefault(op.Inode);
                if (op.Inode != 0 && fileId == 0)
                    return Fail(model, "(i) result in interval", op.Id, -1, $"#{op.Id} opened inode {op.Inode}, which no create of the history made");
                var (openOk, openWhy) = SomeState(states, midOperation, placed.Values, op.Call, op.OpenReturn, s => s.JudgeOpen(op, fileId));
                if (!openOk)
                    return Fail(model, "(i) result in interval", op.Id, -1, $"no state during #{op.Id}'s open has '{op.Path}' as the model requires: {openWhy}");
                if (fileId != 0 && p is null)
                {
                    var (writeOk, writeWhy) = SomeState(states, midOperation, placed.Values, op.WriteCall, op.Return, s => s.JudgeWrite(op, fileId, []));
                    if (!writeOk)
                        return Fail(model, "(i) result in interval", op.Id, -1, $"no state during #{op.Id}'s write allows it without a size record: the model expects {writeWhy}");
                }
            }
            else if (!placed.ContainsKey(op))
            {
                var (ok, why) = SomeState(states, midOperation, placed.Values, op.Call, op.Return, s => s.Judge(op, []));
                if (!ok)
                    return Fail(model, "(i) result in interval", op.Id, -1, $"no state during #{op.Id} gives its answer {op.Status}: the model expects {why}");
            }
        }
        return new Outcome(null, model, madeValid);
    }

    private static bool Contains(this Placed p, int i) => i >= p.First && i <= p.Last;

    /// <summary>The file a data operation's first deciding record concerns.</summary>
    private static UInt128 FileOf(AppendedRecord r) => r.Keep?.FileId ?? ((SetSizeRecord)r.Record!).FileId;

    /// <summary>The size records that settle kept-ahead writes, and how many size records made kept writes valid
    /// (settles and filling writes' records): found by replaying every record once (a record that cannot apply stops
    /// it; the checking replay reports it).</summary>
    private static (HashSet<AppendedRecord> Settles, int MadeValid) FindSettles(List<AppendedRecord> records)
    {
        var settles = new HashSet<AppendedRecord>(ReferenceEqualityComparer.Instance);
        int madeValid = 0;
        var model = new NamespaceModel();
        foreach (var r in records)
        {
            if (r.Record is SetSizeRecord s && model.Kept.TryGetValue(s.FileId, out var kept) && kept.Count > 0)
            {
                madeValid++;
                if (model.IsSettle(s))
                    settles.Add(r);
            }
            if (model.Apply(r) is not null)
                break;
        }
        return (settles, madeValid);
    }

    /// <summary>Whether some observable state between the records of operations that returned before
    /// <paramref name="call"/> and those of operations called after <paramref name="ret"/> satisfies the judge.</summary>
    private static (bool, string?) SomeState(List<NamespaceModel> states, bool[] midOperation, IEnumerable<Placed> placed,
        long call, long ret, Func<NamespaceModel, string?> judge)
    {
        int lo = 0, hi = states.Count - 1;
        foreach (var p in placed)
        {
            if (p.Op.Return < call) lo = Math.Max(lo, p.Last + 1);
            if (p.DecisionCall > ret) hi = Math.Min(hi, p.First);
        }
        string? why = lo > hi ? $"an empty window ({lo}..{hi})" : null;
        for (int k = lo; k <= hi; k++)
        {
            if (midOperation[k])
                continue;
            why = judge(states[k]);
            if (why is null)
                return (true, null);
        }
        return (false, why);
    }

    private static Outcome Fail(NamespaceModel model, string rule, int a, int b, string message) =>
        new(new Violation(rule, a, b, message), model);
}
