using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// Collects every record the volume appends, through <see cref="Layered.Fsd.EngineTestSwitches.AppendObserver"/>,
/// tagged with the operation the appending thread was running. The observer runs on the appending thread, so the
/// tag is exact: no matching of records to operations by path or size.
/// </summary>
public sealed class AppendTap
{
    [ThreadStatic] private static HistoryOp? t_current;
    [ThreadStatic] private static bool t_inRelease;

    private readonly object _gate = new();
    private readonly List<AppendedRecord> _all = [];

    /// <summary>Marks the calling thread as running <paramref name="op"/> (null: the harness itself).</summary>
    public static void Enter(HistoryOp? op, bool inRelease = false)
    {
        t_current = op;
        t_inRelease = inRelease;
    }

    public void Observe(long lsn, JournalRecord record)
    {
        var appended = new AppendedRecord(lsn, record, t_current, t_inRelease);
        if (t_current is { } op)
            (t_inRelease ? op.ReleaseRecords : op.Records).Add(appended); // only this thread touches op's lists
        lock (_gate)
            _all.Add(appended);
    }

    /// <summary>Every record appended so far, in LSN order.</summary>
    public List<AppendedRecord> InLsnOrder()
    {
        lock (_gate)
            return _all.OrderBy(a => a.Lsn).ToList();
    }
}
