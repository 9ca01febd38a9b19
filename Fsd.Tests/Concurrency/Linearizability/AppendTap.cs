using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>
/// Collects every record the volume appends, through <see cref="Layered.Fsd.EngineTestSwitches.AppendObserver"/>,
/// tagged with the operation the appending thread was running. The observer runs on the appending thread, so the
/// tag is exact: no matching of records to operations by path or size. Writes kept ahead of the valid data length,
/// which append no record when they are decided, are observed too (<see cref="ObserveKeptAhead"/>).
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

    public void Observe(long lsn, JournalRecord record) => Add(new AppendedRecord(lsn, record, t_current, t_inRelease));

    /// <summary>A write kept ahead (<see cref="Layered.Fsd.EngineTestSwitches.KeptAheadObserver"/>): it goes right
    /// after the record at <paramref name="lastLsn"/>, the last appended when the write was decided.</summary>
    public void ObserveKeptAhead(long lastLsn, UInt128 fileId, long offset, long end) =>
        Add(new AppendedRecord(lastLsn, null, t_current, t_inRelease, new KeptAhead(fileId, offset, end)));

    private void Add(AppendedRecord appended)
    {
        if (t_current is { } op)
            (t_inRelease ? op.ReleaseRecords : op.Records).Add(appended); // only this thread touches op's lists
        lock (_gate)
            _all.Add(appended);
    }

    /// <summary>
    /// Every record appended so far, in LSN order, each kept-ahead write right after the record it followed. Two
    /// kept-ahead writes after the same record keep the order the tap saw them in: both were decided after that
    /// record and before the next; if they concern one file, its lock ordered them as the tap saw them, and if not,
    /// either order is the same state.
    /// </summary>
    public List<AppendedRecord> InLsnOrder()
    {
        lock (_gate)
            return _all.Select((a, arrival) => (a, arrival)).OrderBy(x => x.a.Lsn).ThenBy(x => x.a.Keep is null ? 0 : 1)
                .ThenBy(x => x.arrival).Select(x => x.a).ToList();
    }
}
