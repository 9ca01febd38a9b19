namespace Layered.Backing;

/// <summary>How a crash state was built (see docs/architecture.md, "Backing stores and the crash model").</summary>
public enum CrashStateKind
{
    /// <summary>Everything issued before the cut persisted, in order.</summary>
    Prefix,
    /// <summary>Metadata before the cut persisted in order; writes not yet covered by an fsync of their file
    /// (or a SyncAll of the store) were each dropped or kept, and the kept ones applied in a shuffled order.</summary>
    WeakPersistence,
    /// <summary>A prefix whose last operation, a write, persisted only up to a sector boundary.</summary>
    TornWrite,
}

/// <summary>
/// One state a crash could leave: the operations that reached the disk, in the order they are applied
/// (a torn write appears as a Write carrying a prefix of its bytes).
/// </summary>
/// <param name="Description">Human-readable: kind, cut, what was dropped or torn.</param>
/// <param name="CutIndex">How many recorded operations had been issued when the crash happened.</param>
/// <param name="Operations">What persisted, in application order.</param>
/// <param name="DroppedWrites">Indices of issued writes that did not persist (WeakPersistence only).</param>
public sealed record CrashState(
    string Description,
    CrashStateKind Kind,
    int CutIndex,
    IReadOnlyList<RecordedOperation> Operations,
    IReadOnlyList<int> DroppedWrites)
{
    /// <summary>Builds the state in a fresh in-memory store (the recording must have started from an empty store).</summary>
    public InMemoryBackingStore Materialize(InMemoryStoreOptions? options = null)
    {
        var store = options is null ? new InMemoryBackingStore() : new InMemoryBackingStore(options);
        MaterializeInto(store);
        return store;
    }

    /// <summary>Applies the state to <paramref name="target"/>, which must hold what the recorded store held
    /// when recording started (usually nothing): e.g. a <see cref="DirectoryBackingStore"/> on a temp folder.
    /// Returns how many operations were skipped (only in <see cref="ReplayMode.SkipConflicts"/>).</summary>
    public int MaterializeInto(IBackingStore target, ReplayMode mode = ReplayMode.Strict) =>
        RecordingReplayer.Apply(target, Operations, mode);

    public override string ToString() => Description;
}
