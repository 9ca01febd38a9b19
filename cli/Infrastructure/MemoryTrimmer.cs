using Microsoft.Extensions.Logging;

namespace Layered.Cli.Infrastructure;

/// <summary>
/// Keeps a long-running mount's resident memory near what it really uses. The workstation GC sizes its young
/// generation from the CPU's cache and collects the old one only under memory pressure, so a mount that moved
/// gigabytes through short-lived and pooled buffers sat at 190-270 MiB resident with about 30 MiB live (an
/// induced full collection brought it back to ~120 MiB). When the managed heap (live objects and garbage not yet
/// collected, or the memory the GC keeps committed, whichever is larger) passes <see cref="Threshold"/>, at most once per <see cref="MinimumInterval"/>, this runs a
/// compacting collection that also returns free memory to the system. It blocks request threads for the length of
/// one full GC of a small heap (milliseconds). The measure is the heap, not the working set: the working set also
/// holds the mapped ReadyToRun images and native libraries (~45 MiB), and an idle mount that settled just above a
/// working-set threshold was compacted every five seconds for nothing.
/// </summary>
internal sealed class MemoryTrimmer : IDisposable
{
    public static readonly long Threshold = 64L << 20;
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(5);

    private readonly Func<long> _heapBytes;
    private readonly Action _collect;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private long _lastCollection = long.MinValue;
    private long _afterLastCollection;
    private int _checking;

    private MemoryTrimmer(Func<long> heapBytes, Action collect, TimeProvider time, ILogger logger, bool start)
    {
        _heapBytes = heapBytes;
        _collect = collect;
        _time = time;
        _logger = logger;
        if (start)
            _timer = time.CreateTimer(_ => Check(), null, CheckInterval, CheckInterval);
    }

    /// <summary>Trims this process from now on until disposed.</summary>
    public static MemoryTrimmer Start(ILogger logger) =>
        new(ManagedMemory, CollectAndReturnMemory, TimeProvider.System, logger, start: true);

    /// <summary>What the managed heap holds of the process's memory: the larger of what is allocated now (live objects
    /// and garbage) and what the GC kept committed at its last collection (free regions it has not given back).</summary>
    private static long ManagedMemory() =>
        Math.Max(GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().TotalCommittedBytes);

    /// <summary>For tests: the policy with its inputs supplied, checked only when <see cref="Check"/> is called.</summary>
    internal static MemoryTrimmer ForTest(Func<long> heapBytes, Action collect, TimeProvider time, ILogger logger) =>
        new(heapBytes, collect, time, logger, start: false);

    /// <summary>Collects when the managed heap is above the threshold and has grown by half the threshold since the
    /// last collection, and the last collection is old enough; true when it collected.</summary>
    internal bool Check()
    {
        if (Interlocked.Exchange(ref _checking, 1) != 0)
            return false;
        try
        {
            long now = _time.GetTimestamp();
            if (_lastCollection != long.MinValue && _time.GetElapsedTime(_lastCollection, now) < MinimumInterval)
                return false;
            long before = _heapBytes();
            // Above the threshold, and grown by half of it since the last compaction: memory the GC cannot give back
            // (live objects, the journal's pinned pages) must not have an idle mount compacted every few seconds.
            if (before <= Threshold || before <= _afterLastCollection + Threshold / 2)
                return false;
            _collect();
            _lastCollection = _time.GetTimestamp();
            _afterLastCollection = _heapBytes();
            _logger.LogDebug("Managed heap {Before} MiB above {Threshold} MiB: compacted it, now {After} MiB (working set {WorkingSet} MiB)",
                before >> 20, Threshold >> 20, _heapBytes() >> 20, Environment.WorkingSet >> 20);
            return true;
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private static void CollectAndReturnMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    public void Dispose() => _timer?.Dispose();
}
