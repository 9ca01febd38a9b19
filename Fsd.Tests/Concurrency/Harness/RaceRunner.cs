using Microsoft.Coyote.Specifications;

namespace Layered.Concurrency.Tests.Harness;

/// <summary>A race's claim failed: the outcome is not a legal sequential one, or two views disagree.</summary>
public sealed class RaceViolationException(string message) : Exception(message);

/// <summary>How a race's threads are run, and the checks every race makes afterwards.</summary>
public static class RaceRunner
{
    /// <summary>
    /// Runs the operations at once. Under Coyote (systematic) they are tasks whose every interleaving Coyote
    /// decides; in a stress run they are real threads released together by a barrier (Barrier is invisible to
    /// Coyote, so it is used only there).
    /// </summary>
    public static void Concurrently(bool realThreads, params Action[] operations)
    {
        if (!realThreads)
        {
            var tasks = operations.Select(o => Task.Run(o)).ToArray();
            Task.WaitAll(tasks);
            return;
        }
        using var start = new Barrier(operations.Length);
        Exception? failure = null;
        var threads = operations.Select(o => new Thread(() =>
        {
            start.SignalAndWait();
            try { o(); }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (failure is not null)
            throw new RaceViolationException("an operation threw: " + failure);
    }

    public static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            // Under Coyote an assertion failure is reported as the bug with its schedule; outside it, the
            // exception is the failure.
            Specification.Assert(condition, message);
            throw new RaceViolationException(message);
        }
    }

    /// <summary>An outcome as a comparable text: per-operation results, then each file with its content.</summary>
    public static string Describe(IEnumerable<string> results, IReadOnlyDictionary<string, byte[]> files) =>
        string.Join(",", results) + " | " + string.Join("; ", files.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => $"{f.Key}={Summarize(f.Value)}"));

    /// <summary>Run-length summary of a content ("a*100 b*300"), short and exact.</summary>
    public static string Summarize(byte[] content)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < content.Length)
        {
            int j = i;
            while (j < content.Length && content[j] == content[i]) j++;
            parts.Add($"{(content[i] == 0 ? "0" : ((char)content[i]).ToString())}*{j - i}");
            i = j;
        }
        return parts.Count == 0 ? "empty" : string.Join(" ", parts);
    }

    /// <summary>
    /// The checks after every race: the outcome is one of <paramref name="legal"/>; the volume, the backing store,
    /// the journal replayed in LSN order and a fresh mount all show the same files; no orphan and no node is left
    /// once every handle is closed.
    /// </summary>
    public static void CheckOutcome(RaceVolume rv, IEnumerable<string> results, ISet<string> legal, int nodesBefore)
    {
        var contents = RaceVolume.Contents(rv.Volume);
        var observed = Describe(results, contents);
        Expect(legal.Contains(observed),
            $"outcome [{observed}] is not one of the {legal.Count} legal sequential outcomes: [{string.Join("] or [", legal)}]");

        var storeNames = rv.StoreNames();
        Expect(storeNames.SetEquals(contents.Keys), $"backing store names [{string.Join(",", storeNames)}] differ from the volume's [{string.Join(",", contents.Keys)}]");
        Expect(rv.OrphanCount() == 0, $"{rv.OrphanCount()} orphan(s) left after every handle was closed");
        Expect(rv.Volume.NodeCount <= nodesBefore, $"node table holds {rv.Volume.NodeCount} nodes, {nodesBefore} before the race");

        var replay = JournalReplayModel.Replay(rv.ReadJournal()).RootFiles();
        var sizes = contents.ToDictionary(c => c.Key, c => (long)c.Value.Length);
        string replayText = string.Join(",", replay.Select(r => $"{r.Key}:{r.Value}"));
        string volumeText = string.Join(",", sizes.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}:{s.Value}"));
        Expect(replayText == volumeText, $"journal replayed in LSN order gives [{replayText}], the volume shows [{volumeText}]");

        var fresh = rv.RemountContents();
        string freshText = Describe(results, fresh);
        Expect(freshText == observed, $"a fresh mount shows [{freshText}], the volume showed [{observed}]");
    }
}
