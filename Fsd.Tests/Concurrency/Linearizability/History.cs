namespace Layered.Concurrency.Tests.Linearizability;

public enum OpKind { Create, Overwrite, Rename, Unlink, Link, SetMode, Append, Write, Stat, List }

/// <summary>One operation of a workload: what was asked, when it was called and returned (Stopwatch ticks), and
/// what it answered. Size/Mode/Names are filled by the operations that return them.</summary>
public sealed class HistoryOp
{
    public int Id;
    public int Thread;
    public OpKind Kind;
    public string Path = "";
    public string Path2 = "";
    public long Offset;
    public int Length;
    public uint Mode;
    public long Call, Return;
    public string Status = "";
    public long ResultOffset = -1;
    public long ResultSize = -1;
    public uint ResultMode;
    public string ResultNames = "";
    /// <summary>LSN of the journal record this operation's effect was given (0: none).</summary>
    public long Lsn;

    public override string ToString() => Kind switch
    {
        OpKind.Rename or OpKind.Link => $"#{Id} t{Thread} {Kind}({Path}->{Path2}) = {Status} [{Call}..{Return}] lsn {Lsn}",
        OpKind.Append or OpKind.Write => $"#{Id} t{Thread} {Kind}({Path}, off {Offset}, {Length}) = {Status} at {ResultOffset} [{Call}..{Return}] lsn {Lsn}",
        OpKind.SetMode => $"#{Id} t{Thread} SetMode({Path}, {Convert.ToString(Mode, 8)}) = {Status} [{Call}..{Return}] lsn {Lsn}",
        OpKind.Stat => $"#{Id} t{Thread} Stat({Path}) = {Status} size {ResultSize} mode {Convert.ToString(ResultMode, 8)} [{Call}..{Return}]",
        OpKind.List => $"#{Id} t{Thread} List() = [{ResultNames}] [{Call}..{Return}]",
        _ => $"#{Id} t{Thread} {Kind}({Path}) = {Status} [{Call}..{Return}] lsn {Lsn}",
    };
}
