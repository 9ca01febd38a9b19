using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// Race 2 of DESIGN §1: three handles of one file set and clear its delete disposition at once (NT
/// SetDispositionInformation), each then cleaned up and closed. Thread 0 sets it; thread 1 clears then sets it;
/// thread 2 sets it. NT acts on the disposition at the last cleanup only; in every sequential order the last
/// setter before the last cleanup set it, so every legal outcome deletes the file (the enumeration below proves
/// that rather than assuming it). Depends on: the node lock around the disposition and the open count, and the
/// namespace lock at the last cleanup.
/// </summary>
public static class DeleteDispositionRace
{
    private static readonly bool[][] Sets = [[true], [false, true], [true]];

    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads)
    {
        using var rv = new RaceVolume(kind, switches);
        rv.WriteFile("F", "0123456789"u8.ToArray());
        int nodesBefore = rv.Volume.NodeCount;
        var handles = Sets.Select(_ => rv.Open("F", CreateDisposition.Open)).ToArray();
        var results = new string[Sets.Length];
        RaceRunner.Concurrently(realThreads, Enumerable.Range(0, Sets.Length).Select(t => (Action)(() =>
        {
            var statuses = new List<string>();
            foreach (bool set in Sets[t])
                statuses.Add(rv.Volume.SetDeleteDisposition(handles[t], set).ToString());
            statuses.Add(rv.Volume.Cleanup(handles[t]).ToString());
            rv.Volume.Close(handles[t]);
            results[t] = string.Join("/", statuses);
        })).ToArray());
        RaceRunner.CheckOutcome(rv, results, Legal.Value, nodesBefore);
    }

    /// <summary>Every order of the threads' steps through a sequential model of NT's disposition rules.</summary>
    public static readonly Lazy<HashSet<string>> Legal = new(() =>
    {
        var legal = new HashSet<string>();
        foreach (var order in Interleavings.All(Sets.Select(s => s.Length + 1).ToArray()))
        {
            bool pending = false, deleted = false;
            int open = Sets.Length;
            var statuses = Sets.Select(_ => new List<string>()).ToArray();
            foreach (var (thread, step) in order)
            {
                if (step < Sets[thread].Length)
                {
                    pending = Sets[thread][step];
                }
                else if (--open == 0 && pending)
                {
                    deleted = true;
                }
                statuses[thread].Add(FsStatus.Success.ToString());
            }
            var files = new Dictionary<string, byte[]>();
            if (!deleted)
                files["F"] = "0123456789"u8.ToArray();
            legal.Add(RaceRunner.Describe(statuses.Select(s => string.Join("/", s)), files));
        }
        return legal;
    });
}
