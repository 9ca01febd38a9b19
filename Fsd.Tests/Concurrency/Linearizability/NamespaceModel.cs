using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// The sequential model the journal is replayed through: names (workload names and orphan names) to file ids, and
/// per file id its size and permission bits. <see cref="Judge"/> says whether an operation's answer and records are
/// what a sequential file system would have given in this state.
/// </summary>
public sealed class NamespaceModel
{
    public Dictionary<string, UInt128> Names = new(StringComparer.Ordinal);
    public Dictionary<UInt128, long> Size = new();
    public Dictionary<UInt128, uint> Mode = new();

    public NamespaceModel Clone() => new() { Names = new(Names, StringComparer.Ordinal), Size = new(Size), Mode = new(Mode) };

    public bool Exists(string p) => Names.ContainsKey(p);

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
                return Size[idA] == 0 ? Expect(op, records, "Success")
                                      : Expect(op, records, "Success", r => r is SetSizeRecord s && s.FileId == idA && s.Eof == 0);
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
                return Expect(op, records, "Success") ?? (op.ResultSize == Size[idA] && op.ResultMode == Mode[idA]
                    ? null : $"Success size {Size[idA]} mode {Convert.ToString(Mode[idA], 8)}");
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

    /// <summary>The write part of a data operation on file <paramref name="fileId"/>, decided in this state.</summary>
    public string? JudgeWrite(HistoryOp op, UInt128 fileId, IReadOnlyList<JournalRecord> records)
    {
        if (!Size.TryGetValue(fileId, out long size))
            return $"file {RecordText.Id(fileId)} is unknown to the model";
        long offset = op.Kind == OpKind.Append ? size : op.Offset;
        if (op.Kind == OpKind.Append && op.ResultOffset != size)
            return $"append at {size} (the file's EOF), not at {op.ResultOffset}";
        long end = offset + op.Length;
        string? why = end > size
            ? Expect(op, records, "Success", r => r is SetSizeRecord s && s.FileId == fileId && s.Eof == end && s.Vdl == end)
            : Expect(op, records, "Success");
        return why is null ? null : $"{why} (file {RecordText.Id(fileId)} has size {size})";
    }

    private static string? Expect(HistoryOp op, IReadOnlyList<JournalRecord> records, string status, params Func<JournalRecord, bool>[] shapes)
    {
        bool ok = op.Status == status && records.Count == shapes.Length;
        for (int i = 0; ok && i < shapes.Length; i++)
            ok = shapes[i](records[i]);
        return ok ? null : $"{status} with {shapes.Length} record(s)";
    }

    /// <summary>Applies one record; returns why it cannot apply in this state (null when it can).</summary>
    public string? Apply(JournalRecord record)
    {
        switch (record)
        {
            case CreateRecord c:
                if (Exists(c.Path)) return $"'{c.Path}' already exists";
                Names[c.Path] = c.FileId;
                Size[c.FileId] = 0;
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
                if (!Size.ContainsKey(s.FileId)) return $"file {RecordText.Id(s.FileId)} was never created";
                Size[s.FileId] = s.Eof;
                return null;
            case ChunkImageRecord i:
                // Appended under the node lock with the node's size: it must be the size the journal gives at its LSN.
                return Size.TryGetValue(i.FileId, out long size) && size == i.Eof
                    ? null : $"it carries EOF {i.Eof}, the journal's size of file {RecordText.Id(i.FileId)} at its LSN is {Size.GetValueOrDefault(i.FileId)}";
            default:
                return null;
        }
    }
}
