using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// Race 3 of DESIGN §1: a truncate races two writes, across chunk and VDL boundaries (chunks of 4096 bytes). The
/// file holds 9600 bytes ('a'; chunks 0-2, VDL 9600). Thread 0 truncates to 4800 (cuts inside chunk 1); thread 1
/// writes 4800 bytes 'b' at 8000 (overwrites the end of chunk 1 and extends past EOF and VDL into chunk 3);
/// thread 2 overwrites 3200 bytes 'c' at 3200 (across the boundary of chunks 0 and 1). Depends on: the node lock
/// (size decisions and their journal records) and the chunk range locks (truncate waits for the writes whose
/// chunks it changes, and they for it).
/// </summary>
public static class TruncateWriteRace
{
    private const int Initial = 9600;

    private static readonly (long Offset, int Length, byte Fill)[] Writes = [(8000, 4800, (byte)'b'), (3200, 3200, (byte)'c')];
    private const long TruncateTo = 4800;

    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads)
    {
        using var rv = new RaceVolume(kind, switches);
        rv.WriteFile("F", Enumerable.Repeat((byte)'a', Initial).ToArray());
        int nodesBefore = rv.Volume.NodeCount;
        var handles = Enumerable.Range(0, 3).Select(_ => rv.Open("F", CreateDisposition.Open)).ToArray();
        var results = new string[3];
        RaceRunner.Concurrently(realThreads,
            () => results[0] = rv.Volume.SetFileSize(handles[0], TruncateTo).ToString(),
            () => results[1] = rv.WriteFill(handles[1], Writes[0].Offset, Writes[0].Length, Writes[0].Fill),
            () => results[2] = rv.WriteFill(handles[2], Writes[1].Offset, Writes[1].Length, Writes[1].Fill));
        foreach (var h in handles)
            rv.Volume.Release(h);
        RaceRunner.CheckOutcome(rv, results, Legal.Value, nodesBefore);
    }

    public static readonly Lazy<HashSet<string>> Legal = new(() =>
    {
        var legal = new HashSet<string>();
        foreach (var order in Interleavings.All(1, 1, 1))
        {
            var file = Enumerable.Repeat((byte)'a', Initial).ToList();
            var results = new string[3];
            foreach (var (thread, _) in order)
            {
                if (thread == 0)
                {
                    SequentialFile.Resize(file, TruncateTo);
                    results[0] = FsStatus.Success.ToString();
                    continue;
                }
                var w = Writes[thread - 1];
                SequentialFile.Write(file, w.Offset, w.Length, w.Fill);
                results[thread] = $"{FsStatus.Success}:{w.Length}@{w.Offset}";
            }
            legal.Add(RaceRunner.Describe(results, new Dictionary<string, byte[]> { ["F"] = file.ToArray() }));
        }
        return legal;
    });
}
