using System.Diagnostics;
using FASTER.core;
using Microsoft.Extensions.Logging;

namespace Layered.Journal;

/// <summary>
/// Group commit: one dedicated thread issues every physical commit; callers register the address they need
/// durable and share the commit in progress (one <see cref="TaskCompletionSource"/> per physical commit, not per
/// caller). Each commit is sealed under the journal's append lock, so its until-address is exactly the end of a
/// known record (and the commit manager can store that record's sequence number).
/// The same thread is the watchdog for FasterLog's commit stall (fasterlog.md §10.3): while a commit is pending
/// it wakes every <see cref="JournalOptions.StallPumpInterval"/>, enters FasterLog's epoch through a dummy
/// iterator (which runs a parked flush) and re-issues the commit; after
/// <see cref="JournalOptions.CommitWatchdogTimeout"/> it fails the journal with <see cref="JournalStallException"/>.
/// </summary>
internal sealed class CommitDriver : IDisposable
{
    private readonly FasterLog _log;
    private readonly object _appendLock;
    private readonly Func<long> _lastSequence;
    private readonly JournalOptions _options;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    // A semaphore rather than an event: it spins briefly before sleeping, which shortens the wake-up of a commit.
    private readonly QuietSemaphore _wake = new();
    private readonly object _waitLock = new();
    private readonly FasterLogScanIterator _pump;
    private TaskCompletionSource _generation = NewGeneration();
    private long _durable;
    private long _requestedUntil;
    private long _requestedBegin;
    private Exception? _failure;
    private volatile bool _stopping;
    // 1 while some thread (the commit thread, or a blocking caller leading the commit) runs CommitOnce.
    private int _committing;

    // The recent seals (until address -> sequence of the last record below it), for the commit manager, which
    // asks when FasterLog writes a commit. A ring: a commit slow to finish can be re-sealed at a later tail by
    // watchdog nudges before its own metadata is written, so more than the last two can still be asked for.
    private const int SealsKept = 32;
    private readonly (long Address, long Sequence)[] _seals = new (long, long)[SealsKept];
    private int _newestSeal;

    public CommitDriver(FasterLog log, object appendLock, Func<long> lastSequence, long durable, long durableSequence,
        JournalOptions options, ILogger logger)
    {
        _log = log;
        _appendLock = appendLock;
        _lastSequence = lastSequence;
        _options = options;
        _logger = logger;
        _durable = durable;
        Array.Fill(_seals, (-1L, -1L));
        _seals[0] = (durable, durableSequence);
        _pump = log.Scan(0, 0, scanBufferingMode: ScanBufferingMode.SinglePageBuffering);
        _thread = new Thread(Run) { IsBackground = true, Name = "journal-commit" };
        _thread.Start();
    }

    private static TaskCompletionSource NewGeneration() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Everything below this address is durable.</summary>
    public long Durable => Volatile.Read(ref _durable);

    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>How many physical commits this driver completed (for tests of group commit).</summary>
    public long PhysicalCommits => Volatile.Read(ref _physicalCommits);

    /// <summary>How many times the watchdog nudged a pending commit.</summary>
    public long WatchdogNudges => Volatile.Read(ref _watchdogNudges);

    private long _physicalCommits;
    private long _watchdogNudges;

    /// <summary>Sequence number of the last record below <paramref name="until"/>, or -1 when that commit was not
    /// sealed by this driver.</summary>
    public long SequenceAt(long until)
    {
        lock (_waitLock)
        {
            for (int i = 0; i < SealsKept; i++)
            {
                var (address, sequence) = _seals[(_newestSeal - i + SealsKept) % SealsKept];
                if (address == until)
                    return sequence;
            }
            return -1;
        }
    }

    /// <summary>Records which sequence number the commit point found at open ends with.</summary>
    public void SetSeal(long until, long sequence)
    {
        lock (_waitLock)
            _seals[_newestSeal] = (until, sequence);
    }

    /// <summary>Remembers a new seal unless the tail has not moved since the newest one.</summary>
    private void AddSeal(long until, long sequence)
    {
        lock (_waitLock)
        {
            if (_seals[_newestSeal].Address == until)
                return;
            _newestSeal = (_newestSeal + 1) % SealsKept;
            _seals[_newestSeal] = (until, sequence);
        }
    }

    /// <summary>Returns when every record below <paramref name="until"/> is durable (and, when
    /// <paramref name="begin"/> is given, the log's begin address has been committed at least that far).</summary>
    public async ValueTask WaitAsync(long until, long begin, CancellationToken ct)
    {
        while (true)
        {
            Task generation;
            lock (_waitLock)
            {
                if (_failure is not null)
                    throw Rethrowable(_failure);
                if (_durable >= until && _log.CommittedBeginAddress >= begin)
                    return;
                if (_requestedUntil < until) _requestedUntil = until;
                if (_requestedBegin < begin) _requestedBegin = begin;
                generation = _generation.Task;
            }
            Wake();
            await generation.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Blocking form of <see cref="WaitAsync"/>. When no commit is in progress the calling thread commits
    /// itself (it would only block waiting for the commit thread to wake up and do the same); otherwise it waits on
    /// a monitor, not on a task, so callers blocked on thread-pool threads need no other pool thread to wake them.
    /// </summary>
    public void Wait(long until, long begin)
    {
        while (true)
        {
            long requestedBegin;
            lock (_waitLock)
            {
                if (_failure is not null)
                    throw Rethrowable(_failure);
                if (_durable >= until && _log.CommittedBeginAddress >= begin)
                    return;
                if (_requestedUntil < until) _requestedUntil = until;
                if (_requestedBegin < begin) _requestedBegin = begin;
                if (_stopping || Interlocked.CompareExchange(ref _committing, 1, 0) != 0)
                {
                    // Someone is committing; its completion (or the commit thread) wakes this waiter.
                    Wake();
                    Monitor.Wait(_waitLock);
                    continue;
                }
                requestedBegin = _requestedBegin;
            }
            CommitAsLeader(requestedBegin);
        }
    }

    /// <summary>Runs one commit on the calling thread while holding the committing flag.</summary>
    private void CommitAsLeader(long requestedBegin)
    {
        try
        {
            CommitOnce(requestedBegin);
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            Volatile.Write(ref _committing, 0);
        }
        // Requests that arrived during this commit (async waiters) are the commit thread's to serve.
        bool more;
        lock (_waitLock)
            more = _failure is null && (_requestedUntil > _durable || _requestedBegin > _log.CommittedBeginAddress);
        if (more)
            Wake();
    }

    private static Exception Rethrowable(Exception failure) => failure switch
    {
        JournalStallException s => new JournalStallException(s.Lsn, s.Waited, s),
        ObjectDisposedException => new ObjectDisposedException(nameof(WriteAheadJournal)),
        _ => new IOException("The journal failed earlier and accepts no more commits; reopen it", failure),
    };

    private void Wake()
    {
        // Extra counts only cause a spurious loop; keep them from piling up.
        if (_wake.CurrentCount == 0)
            _wake.Release();
    }

    private void Run()
    {
        var interval = _options.AutoCommitInterval;
        while (!_stopping)
        {
            bool signalled = _wake.Wait(interval > TimeSpan.Zero ? interval : Timeout.InfiniteTimeSpan);
            if (_stopping)
                break;
            long requestedUntil, requestedBegin;
            lock (_waitLock)
            {
                requestedUntil = _requestedUntil;
                requestedBegin = _requestedBegin;
            }
            bool timerDue = !signalled && _log.TailAddress > Durable;
            if (!timerDue && requestedUntil <= Durable && requestedBegin <= _log.CommittedBeginAddress)
                continue;
            if (Failure is not null)
                return;
            // A blocking caller is committing itself; it wakes this thread again if requests are left over.
            if (Interlocked.CompareExchange(ref _committing, 1, 0) != 0)
                continue;
            try
            {
                CommitOnce(requestedBegin);
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }
            finally
            {
                Volatile.Write(ref _committing, 0);
            }
        }
    }

    /// <summary>Seals the tail under the append lock and asks FasterLog to commit it. The device may write the
    /// commit's data on this thread (<see cref="Storage.BackingLogDevice.InlineWrites"/>), saving a hand-off.</summary>
    private long Seal()
    {
        lock (_appendLock)
            return SealHoldingAppendLock();
    }

    /// <summary>Asks FasterLog again for a commit that has not finished, sealed like the first request. Every
    /// FasterLog commit must be sealed: one issued while an append is turning a page sees the tail at the next
    /// page's start, so the commit point lands after the previous page's padding with no record ending there, and
    /// the commit slot could not say which sequence number it ends with. When an append holds the lock, this
    /// nudge only pumps the epoch (the append itself enters it too); the next nudge asks again.</summary>
    private void Reissue()
    {
        if (!Monitor.TryEnter(_appendLock))
            return;
        try
        {
            SealHoldingAppendLock();
        }
        finally
        {
            Monitor.Exit(_appendLock);
        }
    }

    private long SealHoldingAppendLock()
    {
        long tail = _log.TailAddress;
        AddSeal(tail, _lastSequence());
        Storage.BackingLogDevice.InlineWrites = true;
        try
        {
            _log.Commit(spinWait: false);
        }
        finally
        {
            Storage.BackingLogDevice.InlineWrites = false;
        }
        return tail;
    }

    private void CommitOnce(long requestedBegin)
    {
        var started = Stopwatch.GetTimestamp();
        long seal = Seal();
        var committed = _log.WaitForCommitAsync(seal).AsTask();
        // Task.Wait spins (sched_yield) before it blocks: with a commit every few hundred microseconds that was
        // most of the 180,000 sched_yield calls of one traced untar, CPU the file system's own threads lacked on
        // two cores. A non-spinning event set by the task's completion blocks at once. Not disposed: with no
        // spinning and no wait handle requested it holds no kernel object, and the completion may still Set it.
        var done = new ManualResetEventSlim(false, spinCount: 0);
        committed.ContinueWith(static (_, e) => ((ManualResetEventSlim)e!).Set(), done,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        int nudges = 0;
        while (!(committed.IsCompleted && _log.CommittedBeginAddress >= requestedBegin))
        {
            if (!done.Wait(_options.StallPumpInterval))
            {
                // Still pending: run any flush action parked in FasterLog's epoch, and ask again.
                _pump.GetNext(out _, out _, out _);
                Reissue();
                nudges++;
                Interlocked.Increment(ref _watchdogNudges);
            }
            else if (_log.CommittedBeginAddress < requestedBegin)
            {
                // A begin-only commit (truncation) with no new data: re-issue it until FasterLog persists it.
                Thread.Sleep(1);
                Reissue();
            }
            var waited = Stopwatch.GetElapsedTime(started);
            if (!committed.IsCompleted && waited > _options.CommitWatchdogTimeout)
                throw new JournalStallException(seal, waited);
        }
        if (committed.IsFaulted)
            throw new IOException("FasterLog could not commit the journal", committed.Exception?.InnerException ?? committed.Exception);
        if (nudges > 0)
            _logger.LogDebug("Journal commit up to {Seal} needed {Nudges} watchdog nudges", seal, nudges);

        TaskCompletionSource finished;
        lock (_waitLock)
        {
            if (seal > _durable)
                _durable = seal;
            _physicalCommits++;
            finished = _generation;
            _generation = NewGeneration();
            Monitor.PulseAll(_waitLock);
        }
        finished.SetResult();
    }

    private void Fail(Exception e)
    {
        _logger.LogError(e, "Journal commit failed; the journal accepts no more commits");
        TaskCompletionSource finished;
        lock (_waitLock)
        {
            _failure = e;
            finished = _generation;
            Monitor.PulseAll(_waitLock);
        }
        finished.TrySetException(e);
    }

    /// <summary>Stops the thread. Pending waiters get an <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _stopping = true;
        Wake();
        _thread.Join();
        // A blocking caller may still be leading a commit; let it finish before the pump goes away.
        while (Volatile.Read(ref _committing) != 0)
            Thread.Sleep(1);
        lock (_waitLock)
        {
            _failure ??= new ObjectDisposedException(nameof(WriteAheadJournal));
            _generation.TrySetException(_failure);
            Monitor.PulseAll(_waitLock);
        }
        _pump.Dispose();
    }
}
