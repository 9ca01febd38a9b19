using System.Diagnostics;
using Layered.Backing;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// A seeded random workload: each thread draws its operations from its own Random(seed, thread) over a small
/// namespace (four names in the root), so collisions are frequent. Every operation is one engine call, except the
/// data operations (open by path, then write or append) and create/overwrite, whose handle is released after the
/// operation's return time is taken; records appended by that release are tagged as such.
/// </summary>
public static class Workload
{
    public static readonly string[] Names = ["a", "b", "c", "d"];

    /// <summary>Write offsets: inside and across chunks (3000, 6000), and on chunk boundaries (4096, 8192) that lie
    /// beyond the valid data of a short file, where the engine keeps a write ahead until the gap below is filled.</summary>
    private static readonly long[] Offsets = [0, 3000, 4096, 6000, 8192];

    public static List<HistoryOp> Run(Volume volume, int seed, int threads, int opsPerThread)
    {
        var histories = new List<HistoryOp>[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(HashCode.Combine(seed, t));
            var mine = new List<HistoryOp>(opsPerThread);
            start.SignalAndWait();
            for (int i = 0; i < opsPerThread; i++)
                mine.Add(RunOne(volume, random, t));
            AppendTap.Enter(null);
            histories[t] = mine;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        var all = histories.SelectMany(h => h).OrderBy(o => o.Call).ToList();
        for (int i = 0; i < all.Count; i++)
            all[i].Id = i;
        return all;
    }

    private static HistoryOp RunOne(Volume v, Random r, int thread)
    {
        var op = new HistoryOp { Thread = thread, Kind = (OpKind)r.Next(Enum.GetValues<OpKind>().Length), Path = Names[r.Next(Names.Length)] };
        op.Path2 = Names[r.Next(Names.Length)];
        op.Offset = Offsets[r.Next(Offsets.Length)];
        op.Length = 1 + r.Next(5000);
        op.Mode = r.Next(2) == 0 ? 0x1A4u : 0x180u; // 0644 or 0600
        AppendTap.Enter(op);
        op.Call = Stopwatch.GetTimestamp();
        FileHandle? handle = null;
        switch (op.Kind)
        {
            case OpKind.Create:
            case OpKind.Overwrite:
            {
                var d = op.Kind == OpKind.Create ? CreateDisposition.Create : CreateDisposition.Overwrite;
                op.Status = v.Create(op.Path, new CreateRequest { Disposition = d, Access = FileAccess2.ReadWrite }, out handle, out var info, out _).ToString();
                op.Inode = handle is null ? 0 : info.InodeNumber;
                break;
            }
            case OpKind.Rename: op.Status = v.Rename(op.Path, op.Path2, RenameFlags.Replace).ToString(); break;
            case OpKind.Unlink: op.Status = v.Unlink(op.Path).ToString(); break;
            case OpKind.Link: op.Status = v.Link(op.Path, op.Path2, out _).ToString(); break;
            case OpKind.SetMode: op.Status = v.SetMode(op.Path, (UnixMode)op.Mode).ToString(); break;
            case OpKind.Append:
            case OpKind.Write:
            {
                var st = v.Create(op.Path, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.ReadWrite }, out handle, out var info, out _);
                op.OpenReturn = op.WriteCall = Stopwatch.GetTimestamp();
                if (st == FsStatus.Success)
                {
                    op.Inode = info.InodeNumber;
                    var data = new byte[op.Length];
                    data.AsSpan().Fill((byte)('A' + thread));
                    op.WriteCall = Stopwatch.GetTimestamp();
                    st = v.Write(handle!, op.Offset, data, op.Kind == OpKind.Append ? WriteMode.Append : WriteMode.AtOffset, out _, out long at);
                    op.ResultOffset = at;
                }
                op.Status = st.ToString();
                break;
            }
            case OpKind.Stat:
            {
                var st = v.GetInfo(op.Path, out var info);
                op.Status = st.ToString();
                if (st == FsStatus.Success)
                {
                    op.ResultSize = info.EndOfFile;
                    op.ResultMode = (uint)info.Mode & 0x1FF;
                }
                break;
            }
            case OpKind.List:
            {
                var entries = new List<DirectoryEntry>();
                op.Status = v.ReadDirectory("", null, int.MaxValue, false, entries).ToString();
                op.ResultNames = string.Join(",", entries.Select(e => e.Name).Where(Names.Contains).Order(StringComparer.Ordinal));
                break;
            }
        }
        op.Return = Stopwatch.GetTimestamp();
        if (handle is not null)
        {
            AppendTap.Enter(op, inRelease: true);
            v.Release(handle);
        }
        AppendTap.Enter(null);
        return op;
    }
}
