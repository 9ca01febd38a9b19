namespace Layered.Fuse.Tests;

/// <summary>
/// Measures what the host allocates between two read/write callbacks on the same request thread:
/// the allocation counter of the thread is read when the file system's Read/Write begins and ends,
/// and the bytes allocated from the end of one to the beginning of the next (the native return,
/// libfuse's work, the next callback's entry into managed code) are summed. Any other file system
/// call on the thread in between breaks the chain, since its own allocations are not the host's.
/// </summary>
internal sealed class HostPathProbe
{
    [ThreadStatic]
    private static long _lastExit;

    [ThreadStatic]
    private static bool _chained;

    [ThreadStatic]
    private static int _warmCalls;

    private long _allocatedBetweenCalls;
    private long _measuredGaps;
    private long _gapsWithAllocation;

    public long AllocatedBetweenCalls => Interlocked.Read(ref _allocatedBetweenCalls);

    public long MeasuredGaps => Interlocked.Read(ref _measuredGaps);

    /// <summary>Gaps in which anything was allocated at all.</summary>
    public long GapsWithAllocation => Interlocked.Read(ref _gapsWithAllocation);

    public void EnterHotPath()
    {
        long now = GC.GetAllocatedBytesForCurrentThread();
        // The first calls on a thread pay one-time costs (JIT of the callback, thread attach).
        if (_chained && ++_warmCalls > 3)
        {
            Interlocked.Add(ref _allocatedBetweenCalls, now - _lastExit);
            Interlocked.Increment(ref _measuredGaps);
            if (now != _lastExit)
            {
                Interlocked.Increment(ref _gapsWithAllocation);
            }
        }
    }

    public void ExitHotPath()
    {
        _lastExit = GC.GetAllocatedBytesForCurrentThread();
        _chained = true;
    }

    public static void BreakChain() => _chained = false;
}
