using System.Diagnostics;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// Shrinks a failing history: removes operations (with the records they appended) while the checker still reports
/// the very same violation (rule, operations and message), halving the chunk removed each round (delta debugging). What is left
/// is a short history that shows the fault with the recorded timings and LSNs.
/// </summary>
public static class HistoryShrinker
{
    public static List<HistoryOp> Shrink(List<HistoryOp> history, IReadOnlyList<AppendedRecord> journal, Violation violation, TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        var current = history;
        bool Same(List<HistoryOp> candidate) =>
            WitnessChecker.Check(candidate, journal).Violation is { } v && v == violation;

        for (int chunk = Math.Max(1, current.Count / 2); chunk >= 1 && clock.Elapsed < budget; chunk /= 2)
        {
            for (int start = 0; start < current.Count && clock.Elapsed < budget;)
            {
                var removed = current.Skip(start).Take(chunk).Where(o => o.Id != violation.OpA && o.Id != violation.OpB).ToHashSet();
                if (removed.Count == 0)
                {
                    start += chunk;
                    continue;
                }
                var candidate = current.Where(o => !removed.Contains(o)).ToList();
                if (Same(candidate))
                    current = candidate; // the same start now points at the next chunk
                else
                    start += chunk;
            }
        }
        return current;
    }
}
