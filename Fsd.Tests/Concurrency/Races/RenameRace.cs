using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// Race 1 of DESIGN §1: thread A renames X to Y while thread B renames Y to Z, both replacing (POSIX rename(2),
/// NT FileRenameInformation with ReplaceIfExists). Sequentially either A first — Z holds old X, nothing else —
/// or B first — Z holds old Y and Y holds old X. Depends on: the namespace lock of the directory (both renames
/// take it exclusive, and append their journal record and rename on the store inside it).
/// </summary>
public static class RenameRace
{
    private static readonly byte[] X = "xxx"u8.ToArray();
    private static readonly byte[] Y = "yyyyy"u8.ToArray();

    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads)
    {
        using var rv = new RaceVolume(kind, switches);
        rv.WriteFile("X", X);
        rv.WriteFile("Y", Y);
        int nodesBefore = rv.Volume.NodeCount;
        FsStatus a = default, b = default;
        RaceRunner.Concurrently(realThreads,
            () => a = rv.Volume.Rename("X", "Y", RenameFlags.Replace),
            () => b = rv.Volume.Rename("Y", "Z", RenameFlags.Replace));
        RaceRunner.CheckOutcome(rv, [a.ToString(), b.ToString()], Legal.Value, nodesBefore);
    }

    /// <summary>The legal outcomes: both orders of the two renames run through a sequential rename model.</summary>
    public static readonly Lazy<HashSet<string>> Legal = new(() =>
    {
        var legal = new HashSet<string>();
        foreach (var order in Interleavings.All(1, 1))
        {
            var files = new Dictionary<string, byte[]> { ["X"] = X, ["Y"] = Y };
            var results = new string[2];
            foreach (var (thread, _) in order)
                results[thread] = thread == 0 ? Rename(files, "X", "Y") : Rename(files, "Y", "Z");
            legal.Add(RaceRunner.Describe(results, files));
        }
        return legal;
    });

    private static string Rename(Dictionary<string, byte[]> files, string from, string to)
    {
        if (!files.Remove(from, out var content))
            return FsStatus.NotFound.ToString();
        files[to] = content;
        return FsStatus.Success.ToString();
    }
}
