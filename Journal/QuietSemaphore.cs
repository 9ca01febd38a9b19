namespace Layered.Journal;

/// <summary>
/// A counting semaphore whose waits block at once. SemaphoreSlim (and Task.Wait) spin with sched_yield before they
/// block; the journal's commit and device threads wait on theirs thousands of times a second under a busy file
/// system, and on a two-core machine that spinning took CPU from the threads doing the file system's work (tens of
/// thousands of sched_yield calls per thousand files created). A wake-up through Monitor costs a futex, no more.
/// </summary>
internal sealed class QuietSemaphore
{
    private readonly object _lock = new();
    private int _count;

    public int CurrentCount => Volatile.Read(ref _count);

    public void Release()
    {
        lock (_lock)
        {
            _count++;
            Monitor.Pulse(_lock);
        }
    }

    public void Wait() => Wait(Timeout.InfiniteTimeSpan);

    /// <summary>Takes one count, waiting at most <paramref name="timeout"/>; false when none came in time.</summary>
    public bool Wait(TimeSpan timeout)
    {
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (_count == 0)
            {
                if (deadline == long.MaxValue)
                {
                    Monitor.Wait(_lock);
                    continue;
                }
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left)) && _count == 0)
                    return false;
            }
            _count--;
            return true;
        }
    }
}
