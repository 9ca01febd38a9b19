using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd.Locking;
using Layered.Fsd.Nodes;
using Layered.Journal;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

/// <summary>
/// A mounted vault: the host-neutral file system engine. Every mutation gets its place in one total order (its
/// journal LSN) while holding the locks that make it take effect on the backing store and on the in-memory
/// state in that same order (DESIGN §2, §5). Hosts translate their calls into these methods and nothing more.
/// Public operations return an <see cref="FsStatus"/>; they never throw for a file system error.
/// </summary>
public sealed partial class Volume : IDisposable
{
    internal const string MetaDirectory = VaultLayout.MetaDirectoryName;
    internal const string JournalDirectory = MetaDirectory + "/" + VaultLayout.JournalDirectoryName;
    internal const string OrphanDirectory = MetaDirectory + "/orphans";
    internal const string TempDirectory = MetaDirectory + "/tmp";
    internal const string LockFile = MetaDirectory + "/" + VaultLayout.LockFileName;

    internal readonly IBackingStore Store;
    internal readonly Vault Vault;
    internal readonly WriteAheadJournal Journal;
    internal readonly NamespaceLocks Locks;
    internal readonly NodeTable Nodes = new();
    internal readonly EngineTestSwitches Switches;
    internal readonly ILogger Log;
    internal readonly INameTransform Names;
    internal readonly ChunkLayout Layout;
    internal readonly Func<DateTime> UtcNow;
    private readonly VolumeOptions _options;
    private readonly IDisposable _vaultLock;
    private readonly object _checkpointGate = new();
    private readonly Timer? _checkpointTimer;
    private long _orphanCounter;
    private int _retainedDirty;
    private int _checkpointQueued;
    private long _checkpoints;
    // The LSN the last checkpoint reached, kept here because the journal's own CheckpointLsn reads the superblock,
    // whose writer holds it across an fsync: the append path must not wait for that.
    private long _checkpointedUpTo;
    // Recovery replays and appends before the volume is handed out; the journal bound does not apply then
    // (recovery ends with its own checkpoint).
    private volatile bool _recovering = true;
    private bool _disposed;

    private Volume(VolumeOptions options, IDisposable vaultLock, WriteAheadJournal journal)
    {
        _options = options;
        Store = options.Store;
        Vault = options.Vault;
        Journal = journal;
        Switches = options.TestSwitches;
        Locks = new NamespaceLocks(Switches);
        Log = options.LoggerFactory.CreateLogger("Layered.Volume");
        Names = options.Names;
        Layout = options.Vault.Layout;
        UtcNow = options.UtcNow;
        _vaultLock = vaultLock;
        ReadOnly = options.ReadOnly;
        if (Switches.AnySet)
            Log.LogWarning("Engine test switches are set: ordering guarantees are deliberately broken");
        if (options.CheckpointInterval > TimeSpan.Zero)
            _checkpointTimer = new Timer(_ => TimedCheckpoint(), null, options.CheckpointInterval, options.CheckpointInterval);
    }

    public bool ReadOnly { get; }
    public string Location => Store.Location;

    /// <summary>What recovery did when this volume was mounted.</summary>
    public RecoveryReport Recovery { get; private set; } = RecoveryReport.Empty;

    /// <summary>
    /// Prepares a new vault's store for mounting: the journal and the vault's private folders.
    /// Called once, by `layered init`.
    /// </summary>
    public static void InitializeStore(IBackingStore store, JournalOptions journalOptions, ILoggerFactory loggerFactory)
    {
        foreach (var dir in new[] { MetaDirectory, OrphanDirectory, TempDirectory })
        {
            if (store.TryGetEntry(dir) is null)
                store.CreateDirectory(dir, UnixMode.UserRead | UnixMode.UserWrite | UnixMode.UserExecute);
        }
        store.SyncDirectory(MetaDirectory);
        store.SyncDirectory("");
        using var journal = WriteAheadJournal.Create(store, JournalDirectory, journalOptions, loggerFactory.CreateLogger("Layered.Journal"));
    }

    /// <summary>
    /// Mounts the vault: takes the exclusive vault lock, opens the journal, runs recovery (replay after the last
    /// checkpoint, orphans and temporaries freed, checkpoint) and returns the ready volume.
    /// </summary>
    public static Volume Mount(VolumeOptions options)
    {
        var log = options.LoggerFactory.CreateLogger("Layered.Volume");
        IDisposable vaultLock;
        try
        {
            vaultLock = options.Store.AcquireExclusiveLock(LockFile);
        }
        catch (BackingStoreException e) when (e.Error == BackingError.Locked)
        {
            throw new VolumeLockedException(options.Store.Location, e);
        }
        catch (BackingStoreException e) when (e.Error == BackingError.NotFound)
        {
            throw new FsException(FsStatus.NotFound, "", $"'{options.Store.Location}' is not an initialized vault (no {MetaDirectory} folder)", e);
        }

        WriteAheadJournal? journal = null;
        try
        {
            foreach (var dir in new[] { OrphanDirectory, TempDirectory })
            {
                if (options.Store.TryGetEntry(dir) is null && !options.ReadOnly)
                    options.Store.CreateDirectory(dir, UnixMode.UserRead | UnixMode.UserWrite | UnixMode.UserExecute);
            }
            journal = WriteAheadJournal.Open(options.Store, JournalDirectory, options.Journal, options.LoggerFactory.CreateLogger("Layered.Journal"));
            var volume = new Volume(options, vaultLock, journal);
            volume.Recovery = VolumeRecovery.Run(volume);
            Volatile.Write(ref volume._checkpointedUpTo, journal.CheckpointLsn);
            volume._recovering = false;
            log.LogInformation("Mounted vault {Location}: {Recovery}", options.Store.Location, volume.Recovery);
            return volume;
        }
        catch
        {
            journal?.Dispose();
            vaultLock.Dispose();
            throw;
        }
    }

    /// <summary>Size and free space, from the backing store.</summary>
    public VolumeStatistics GetStatistics()
    {
        var s = Store.GetStatistics();
        return new VolumeStatistics(s.TotalBytes, s.FreeBytes, s.AvailableBytes, FsPath.MaxNameBytes);
    }

    /// <summary>Open and retained nodes (for tests and diagnostics: proves close frees nodes).</summary>
    public int NodeCount => Nodes.Count;

    /// <summary>Appends a record: the operation's place in the total order. Called under the operation's locks,
    /// before the backing store is changed (log before apply).</summary>
    internal long Append(JournalRecord record)
    {
        long lsn = Journal.Append(record);
        Switches.AppendObserver?.Invoke(lsn, record);
        if (JournalGrownPastBound(lsn) && !_recovering)
            QueueBackgroundCheckpoint();
        return lsn;
    }

    private bool JournalGrownPastBound(long lsn) =>
        _options.JournalCheckpointBytes > 0 && lsn - Volatile.Read(ref _checkpointedUpTo) > _options.JournalCheckpointBytes;

    /// <summary>Checkpoints completed since the volume was mounted (recovery's own included).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Journal bytes appended since the last checkpoint's LSN.</summary>
    public long JournalBytesSinceCheckpoint => Math.Max(0, Journal.TailLsn - Volatile.Read(ref _checkpointedUpTo));

    internal string StorePath(string plainPath) => Names.ToStorePath(plainPath);

    internal string NewOrphanPath(ulong inode) =>
        $"{OrphanDirectory}/{inode:x}-{Interlocked.Increment(ref _orphanCounter):x}";

    internal string NewTempPath() => $"{TempDirectory}/{Guid.NewGuid():N}";

    private bool TimedCheckpoint()
    {
        try
        {
            Checkpoint();
            return true;
        }
        catch (Exception e)
        {
            Log.LogError(e, "Background checkpoint failed");
            return false;
        }
    }

    /// <summary>
    /// Called when a closed node is kept for its unsynced state; bounds how many there are. The checkpoint runs
    /// on the thread pool so the close that crossed the bound (a FUSE or WinFsp request) does not wait for it;
    /// only if retained nodes reach four times the bound while it runs does a close checkpoint inline.
    /// </summary>
    internal void NoteRetainedDirty()
    {
        int retained = Interlocked.Increment(ref _retainedDirty);
        if (retained < _options.MaxRetainedDirtyNodes)
            return;
        if (retained >= 4 * _options.MaxRetainedDirtyNodes)
        {
            Checkpoint();
            return;
        }
        QueueBackgroundCheckpoint();
    }

    /// <summary>Runs a checkpoint on the thread pool unless one is already queued or running.</summary>
    internal void QueueBackgroundCheckpoint()
    {
        if (Interlocked.CompareExchange(ref _checkpointQueued, 1, 0) != 0)
            return;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            bool done = false;
            try
            {
                // Under the checkpoint gate, so a Dispose that started meanwhile is either waited for or seen.
                lock (_checkpointGate)
                {
                    if (!Volatile.Read(ref _disposed))
                        done = TimedCheckpoint();
                }
            }
            finally
            {
                Volatile.Write(ref _checkpointQueued, 0);
            }
            // A close or append that crossed a bound while this ran found the flag set and queued nothing: look again
            // (not after a failure, which would only fail again at once; the next close or timer retries).
            if (done && !Volatile.Read(ref _disposed) && CheckpointBoundCrossed())
                QueueBackgroundCheckpoint();
        }, null);
    }

    private bool CheckpointBoundCrossed() =>
        Volatile.Read(ref _retainedDirty) >= _options.MaxRetainedDirtyNodes ||
        _pendingBytes.Bytes > PendingVolumeCheckpointThreshold ||
        JournalGrownPastBound(Journal.TailLsn);

    /// <summary>
    /// Makes every effect of every record appended so far durable in the backing store (data, then headers),
    /// then lets the journal record the checkpoint and free what it no longer needs. Nodes that were only kept for
    /// their unsynced state are released.
    /// </summary>
    public void Checkpoint()
    {
        if (ReadOnly)
            return;
        lock (_checkpointGate)
        {
            long upTo = Journal.TailLsn;
            // Closes that retain nodes while this runs still count towards the next checkpoint.
            int counted = Volatile.Read(ref _retainedDirty);
            var nodes = Nodes.Snapshot();
            if (!TrySyncNodesTogether(nodes))
                foreach (var node in nodes)
                    SyncNode(node, forCheckpoint: true);
            Journal.Checkpoint(upTo);
            Volatile.Write(ref _checkpointedUpTo, upTo);
            Interlocked.Increment(ref _checkpoints);
            Interlocked.Add(ref _retainedDirty, -counted);
        }
    }

    /// <summary>
    /// Volume flush (FlushFileBuffers on the volume, syncfs): every file's data and size durable.
    /// </summary>
    public FsStatus FlushVolume()
    {
        try
        {
            Checkpoint();
            Store.SyncDirectory("");
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, "", out var status))
        {
            return status;
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        Volatile.Write(ref _disposed, true);
        _checkpointTimer?.Dispose();
        try
        {
            Checkpoint();
        }
        catch (Exception e)
        {
            Log.LogError(e, "Final checkpoint failed; recovery will replay the journal at the next mount");
        }
        foreach (var node in Nodes.Snapshot())
            DisposeNodeResources(node);
        Journal.Dispose();
        _vaultLock.Dispose();
    }

    internal static void DisposeNodeResources(FileNode node)
    {
        lock (node.Sync)
        {
            node.File?.Dispose();
            node.File = null;
            node.DisposeCipher();
        }
    }
}

/// <summary>The vault is mounted by another process (its lock file is held).</summary>
public sealed class VolumeLockedException(string location, Exception inner)
    : IOException($"The vault '{location}' is already mounted (its lock is held by another process)", inner);
