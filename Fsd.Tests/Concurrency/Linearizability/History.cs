using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

public enum OpKind { Create, Overwrite, Rename, Unlink, Link, SetMode, Append, Write, Stat, List }

/// <summary>A write kept ahead of the valid data length: decided without a record of its own (the engine's
/// <see cref="Layered.Fsd.EngineTestSwitches.KeptAheadObserver"/>).</summary>
public sealed record KeptAhead(UInt128 FileId, long Offset, long End);

/// <summary>
/// A journal record as appended: its LSN and the call that appended it (null for the harness's own). Or, with
/// <see cref="Keep"/> set and no record, a write kept ahead, placed right after the record at <see cref="Lsn"/>
/// (the last one appended when it was decided).
/// </summary>
public sealed record AppendedRecord(long Lsn, JournalRecord? Record, HistoryOp? Owner, bool InRelease, KeptAhead? Keep = null)
{
    public override string ToString() =>
        (Keep is { } k ? $"after lsn {Lsn} KeptAhead(id {RecordText.Id(k.FileId)}, {k.Offset}..{k.End})" : $"lsn {Lsn} {RecordText.Describe(Record!)}") +
        (InRelease ? " (at release)" : "");
}

/// <summary>
/// One operation of a workload: what was asked, when it was called and returned (Stopwatch ticks), what it answered,
/// and exactly which journal records it appended (reported by the engine's append observer on the calling thread).
/// Data operations are two engine calls, open then write; <see cref="OpenReturn"/> and <see cref="WriteCall"/> split them.
/// </summary>
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
    public long Call, OpenReturn, WriteCall, Return;
    public string Status = "";
    public long ResultOffset = -1;
    public long ResultSize = -1;
    public uint ResultMode;
    public string ResultNames = "";
    /// <summary>Backing inode of the file a create or an open reached (0: none).</summary>
    public ulong Inode;
    /// <summary>Records appended by the operation itself, in LSN order.</summary>
    public readonly List<AppendedRecord> Records = [];
    /// <summary>Records appended while the workload released the operation's handle (an orphan freed at last close).</summary>
    public readonly List<AppendedRecord> ReleaseRecords = [];

    public bool IsDataOp => Kind is OpKind.Append or OpKind.Write;

    public override string ToString()
    {
        string what = Kind switch
        {
            OpKind.Rename or OpKind.Link => $"{Kind}({Path}->{Path2}) = {Status}",
            OpKind.Append => $"Append({Path}, {Length}) = {Status} at {ResultOffset}",
            OpKind.Write => $"Write({Path}, off {Offset}, {Length}) = {Status}",
            OpKind.SetMode => $"SetMode({Path}, {Convert.ToString(Mode, 8)}) = {Status}",
            OpKind.Stat => $"Stat({Path}) = {Status}" + (Status == "Success" ? $" size {ResultSize} mode {Convert.ToString(ResultMode, 8)}" : ""),
            OpKind.List => $"List() = {Status} [{ResultNames}]",
            _ => $"{Kind}({Path}) = {Status}",
        };
        string records = Records.Count == 0 ? "" : " {" + string.Join("; ", Records) + "}";
        return $"#{Id} t{Thread} {what} [{Call}..{Return}]{records}";
    }
}
