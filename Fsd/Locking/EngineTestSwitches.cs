namespace Layered.Fsd;

/// <summary>
/// Test-only switches that remove one lock or ordering step, so that the concurrency proofs can show they
/// fail without it (a test that cannot fail proves nothing). All false in production; a volume logs a warning
/// when any is set.
/// </summary>
public sealed class EngineTestSwitches
{
    /// <summary>Namespace operations take no directory, tree or rename lock.</summary>
    public bool DisableNamespaceLocks { get; set; }

    /// <summary>Size decisions (append offset, EOF/VDL updates) are made without the node lock.</summary>
    public bool DisableNodeSizeLock { get; set; }

    /// <summary>Reads, writes and truncates take no chunk range lock.</summary>
    public bool DisableChunkRangeLocks { get; set; }

    /// <summary>The delete disposition is read and written without the node lock.</summary>
    public bool DisableDispositionLock { get; set; }

    /// <summary>
    /// Called with each journal record and its LSN, on the thread that appended it, right after the append (still
    /// under the appending operation's locks). Lets a test tie every record to the call that produced it instead
    /// of guessing from paths and sizes. Observes only; it does not weaken any ordering, so it is not in
    /// <see cref="AnySet"/>. Must be fast and must not call back into the volume.
    /// </summary>
    public Action<long, Layered.Journal.JournalRecord>? AppendObserver { get; set; }

    /// <summary>
    /// Called when a write is kept ahead of the valid data length (no record of its own until the gaps below are
    /// filled), under the node's lock, with the LSN of the last record appended so far, the file id and the byte
    /// range: the decision lies between that record and the next, so a test can place it in the journal's order.
    /// Observes only, like <see cref="AppendObserver"/>.
    /// </summary>
    public Action<long, UInt128, long, long>? KeptAheadObserver { get; set; }

    public bool AnySet => DisableNamespaceLocks || DisableNodeSizeLock || DisableChunkRangeLocks || DisableDispositionLock;
}
