namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>The sequential model: names of the root to file ids, and per file id its size and permission bits.</summary>
public sealed class NamespaceModel
{
    public Dictionary<string, UInt128> Names = new(StringComparer.Ordinal);
    public Dictionary<UInt128, long> Size = new();
    public Dictionary<UInt128, uint> Mode = new();

    public NamespaceModel Clone() => new() { Names = new(Names, StringComparer.Ordinal), Size = new(Size), Mode = new(Mode) };

    public bool Exists(string p) => Names.ContainsKey(p);

    public void Move(string from, string to)
    {
        if (Names.Remove(from, out var id))
            Names[to] = id;
    }

    /// <summary>What <paramref name="op"/> would answer in this state (status, and for stat/list their data).</summary>
    public string Answer(HistoryOp op)
    {
        bool a = Exists(op.Path), b = Exists(op.Path2);
        return op.Kind switch
        {
            OpKind.Create => a ? "AlreadyExists" : "Success",
            OpKind.Overwrite or OpKind.Unlink or OpKind.SetMode or OpKind.Append or OpKind.Write => a ? "Success" : "NotFound",
            OpKind.Rename => a ? "Success" : "NotFound",
            OpKind.Link => !a ? "NotFound" : b ? "AlreadyExists" : "Success",
            OpKind.Stat => a ? $"Success {Size[Names[op.Path]]} {Convert.ToString(Mode[Names[op.Path]], 8)}" : "NotFound",
            OpKind.List => "Success " + string.Join(",", Names.Keys.Where(Workload.Names.Contains).Order(StringComparer.Ordinal)),
            _ => "?",
        };
    }

    public static string Observed(HistoryOp op) => op.Kind switch
    {
        OpKind.Stat => op.Status == "Success" ? $"Success {op.ResultSize} {Convert.ToString(op.ResultMode, 8)}" : op.Status,
        OpKind.List => op.Status + " " + op.ResultNames,
        _ => op.Status,
    };

    /// <summary>True when a successful <paramref name="op"/> with no journal record is a no-op in this state
    /// (a rename onto another name of the same file or onto itself, truncating an empty file, a write inside EOF).</summary>
    public bool IsNoEffect(HistoryOp op) => op.Kind switch
    {
        OpKind.Rename => Exists(op.Path) && (op.Path == op.Path2 || Names.GetValueOrDefault(op.Path2) == Names[op.Path] && Exists(op.Path2)),
        OpKind.Overwrite => Exists(op.Path) && Size[Names[op.Path]] == 0,
        OpKind.Write => Exists(op.Path) && Size[Names[op.Path]] >= op.Offset + op.Length,
        _ => false,
    };
}
