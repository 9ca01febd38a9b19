namespace Layered.Backing;

/// <summary>
/// The ordered list of mutations a <see cref="RecordingBackingStore"/> applied. Thread-safe: appends
/// come from the recorder (which holds its own lock across the inner call and the append, so the
/// recorded order is the applied order); readers get snapshots.
/// </summary>
public sealed class Recording
{
    private readonly object _gate = new();
    private readonly List<RecordedOperation> _operations = [];

    /// <summary>A snapshot of every operation so far, in order.</summary>
    public IReadOnlyList<RecordedOperation> Operations
    {
        get
        {
            lock (_gate)
            {
                return _operations.ToArray();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _operations.Count;
            }
        }
    }

    /// <summary>Indices of every durability point (file or directory fsync, syncfs of the store), in order.</summary>
    public IReadOnlyList<int> DurabilityPoints =>
        Operations.Where(o => o.IsDurabilityPoint).Select(o => o.Index).ToArray();

    /// <summary>Applies the chosen operations to <paramref name="target"/>, in recorded order (the indices
    /// may come in any order; duplicates count once). Any failure is thrown.</summary>
    public void ApplyTo(IBackingStore target, IEnumerable<int> operationIndices) =>
        ApplyTo(target, operationIndices, ReplayMode.Strict);

    /// <summary>Applies the chosen operations, in recorded order; returns how many were skipped
    /// (always 0 in <see cref="ReplayMode.Strict"/>).</summary>
    public int ApplyTo(IBackingStore target, IEnumerable<int> operationIndices, ReplayMode mode)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(operationIndices);
        var operations = Operations;
        var chosen = new SortedSet<int>(operationIndices);
        if (chosen.Count > 0 && (chosen.Min < 0 || chosen.Max >= operations.Count))
        {
            throw new ArgumentOutOfRangeException(nameof(operationIndices), $"Operation indices must lie in [0, {operations.Count})");
        }
        return RecordingReplayer.Apply(target, chosen.Select(i => operations[i]), mode);
    }

    /// <summary>Applies every operation to <paramref name="target"/>.</summary>
    public void ApplyAllTo(IBackingStore target) => ApplyTo(target, Enumerable.Range(0, Count));

    internal RecordedOperation Append(Func<int, RecordedOperation> create)
    {
        lock (_gate)
        {
            var operation = create(_operations.Count);
            _operations.Add(operation);
            return operation;
        }
    }
}
