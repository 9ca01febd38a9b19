using Layered.Fsd;

namespace Layered.Concurrency.Tests.Harness;

/// <summary>
/// The shape the data races share: one file F of <c>initial</c> bytes 'a', each thread one operation through a handle
/// of its own, and as legal outcomes every order of those operations run one after another.
/// </summary>
public static class SingleFileRace
{
    /// <summary>Runs the operations at once (Coyote or real threads), releases the handles and checks the outcome
    /// (results, contents, journal, a fresh mount) against <paramref name="legal"/>.</summary>
    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads, int initial,
        Func<RaceVolume, FileHandle, string>[] operations, ISet<string> legal)
    {
        using var rv = new RaceVolume(kind, switches);
        rv.WriteFile("F", Enumerable.Repeat((byte)'a', initial).ToArray());
        int nodesBefore = rv.Volume.NodeCount;
        var handles = operations.Select(_ => rv.Open("F", CreateDisposition.Open)).ToArray();
        var results = new string[operations.Length];
        RaceRunner.Concurrently(realThreads,
            operations.Select((operation, i) => (Action)(() => results[i] = operation(rv, handles[i]))).ToArray());
        foreach (var h in handles)
            rv.Volume.Release(h);
        RaceRunner.CheckOutcome(rv, results, legal, nodesBefore);
    }

    /// <summary>Every outcome of the <paramref name="threads"/> operations run one after another, in every order:
    /// <paramref name="apply"/> changes the file as operation <c>thread</c> would alone and returns its result.</summary>
    public static HashSet<string> LegalOutcomes(int initial, int threads, Func<int, List<byte>, string> apply)
    {
        var legal = new HashSet<string>();
        foreach (var order in Interleavings.All(Enumerable.Repeat(1, threads).ToArray()))
        {
            var file = Enumerable.Repeat((byte)'a', initial).ToList();
            var results = new string[threads];
            foreach (var (thread, _) in order)
                results[thread] = apply(thread, file);
            legal.Add(RaceRunner.Describe(results, new Dictionary<string, byte[]> { ["F"] = file.ToArray() }));
        }
        return legal;
    }
}
