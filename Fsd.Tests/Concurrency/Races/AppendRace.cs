using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// Race 4 of DESIGN §1: three appends at once (O_APPEND, FILE_WRITE_TO_END_OF_FILE) and a paging write (WinFsp
/// ConstrainedIo) of 16000 bytes at offset 0, which must be clipped to the EOF of its moment and never extend.
/// The file starts with 1600 bytes 'a' (chunks of 4096 bytes, so the appends cross chunk and VDL boundaries).
/// Each append reports where its data went; in a legal outcome that is the EOF of its place in some sequential
/// order. Depends on: the node lock (the append offset is decided and EOF moved in one critical section, with the
/// size record appended there) and the chunk range locks (the writes' I/O in ticket order).
/// </summary>
public static class AppendRace
{
    private const int Initial = 1600;
    private static readonly (int Length, byte Fill)[] Appends = [(4800, (byte)'b'), (4800, (byte)'c'), (800, (byte)'d')];
    private const int PagingLength = 16000;

    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads)
    {
        using var rv = new RaceVolume(kind, switches);
        rv.WriteFile("F", Enumerable.Repeat((byte)'a', Initial).ToArray());
        int nodesBefore = rv.Volume.NodeCount;
        var handles = Enumerable.Range(0, 4).Select(_ => rv.Open("F", CreateDisposition.Open)).ToArray();
        var results = new string[4];
        var ops = Enumerable.Range(0, 3).Select(i => (Action)(() =>
        {
            var status = rv.Volume.Write(handles[i], 0, Enumerable.Repeat(Appends[i].Fill, Appends[i].Length).ToArray(), WriteMode.Append, out int n, out long at);
            results[i] = $"{status}:{n}@{at}";
        })).Append(() =>
        {
            var status = rv.Volume.Write(handles[3], 0, Enumerable.Repeat((byte)'p', PagingLength).ToArray(), WriteMode.Paging, out int n, out long at);
            results[3] = $"{status}:{n}@{at}";
        }).ToArray();
        RaceRunner.Concurrently(realThreads, ops);
        foreach (var h in handles)
            rv.Volume.Release(h);
        RaceRunner.CheckOutcome(rv, results, Legal.Value, nodesBefore);
    }

    public static readonly Lazy<HashSet<string>> Legal = new(() =>
    {
        var legal = new HashSet<string>();
        foreach (var order in Interleavings.All(1, 1, 1, 1))
        {
            var file = Enumerable.Repeat((byte)'a', Initial).ToList();
            var results = new string[4];
            foreach (var (thread, _) in order)
            {
                if (thread < 3)
                {
                    int at = file.Count;
                    file.AddRange(Enumerable.Repeat(Appends[thread].Fill, Appends[thread].Length));
                    results[thread] = $"{FsStatus.Success}:{Appends[thread].Length}@{at}";
                }
                else
                {
                    int n = Math.Min(PagingLength, file.Count);
                    for (int i = 0; i < n; i++)
                        file[i] = (byte)'p';
                    results[3] = $"{FsStatus.Success}:{n}@0";
                }
            }
            legal.Add(RaceRunner.Describe(results, new Dictionary<string, byte[]> { ["F"] = file.ToArray() }));
        }
        return legal;
    });
}
