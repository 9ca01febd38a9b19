namespace Layered.Concurrency.Tests.Harness;

/// <summary>
/// Enumerates every sequential order of several threads' operation lists (each thread's own order kept): the
/// legal outcomes of a race are the outcomes of these orders run through a sequential model.
/// </summary>
public static class Interleavings
{
    /// <summary>Each order is a list of (thread, index within that thread).</summary>
    public static IEnumerable<List<(int Thread, int Step)>> All(params int[] lengths)
    {
        var next = new int[lengths.Length];
        var order = new List<(int, int)>();
        int total = lengths.Sum();
        return Walk();

        IEnumerable<List<(int, int)>> Walk()
        {
            if (order.Count == total)
            {
                yield return new List<(int, int)>(order);
                yield break;
            }
            for (int t = 0; t < lengths.Length; t++)
            {
                if (next[t] == lengths[t])
                    continue;
                order.Add((t, next[t]));
                next[t]++;
                foreach (var o in Walk())
                    yield return o;
                next[t]--;
                order.RemoveAt(order.Count - 1);
            }
        }
    }
}
