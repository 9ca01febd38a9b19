using Xunit;
using Layered.Cli.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Cli.Tests;

[Trait("Area", "Cli")]
public class MemoryTrimmerTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    [Fact]
    public void CollectsOnlyAboveTheThresholdAndNotMoreOftenThanTheMinimumInterval()
    {
        var clock = new ManualClock();
        long heap = MemoryTrimmer.Threshold - 1;
        int collections = 0;
        using var trimmer = MemoryTrimmer.ForTest(() => heap, () => { collections++; heap = MemoryTrimmer.Threshold / 4; }, clock, NullLogger.Instance);

        Assert.False(trimmer.Check()); // below the threshold: nothing to do
        heap = MemoryTrimmer.Threshold + (64L << 20);
        Assert.True(trimmer.Check());
        Assert.Equal(1, collections);

        heap = MemoryTrimmer.Threshold + (64L << 20);
        clock.Advance(MemoryTrimmer.MinimumInterval - TimeSpan.FromMilliseconds(1));
        Assert.False(trimmer.Check()); // above again, but collected too recently
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(trimmer.Check());
        Assert.Equal(2, collections);

        heap = MemoryTrimmer.Threshold / 2;
        clock.Advance(MemoryTrimmer.MinimumInterval * 2);
        Assert.False(trimmer.Check());
        Assert.Equal(2, collections);
    }

    [Fact]
    public void MemoryACompactionCannotFreeDoesNotCauseACollectionEveryInterval()
    {
        var clock = new ManualClock();
        long floor = MemoryTrimmer.Threshold + (10L << 20); // live objects and pinned pages above the threshold
        long heap = MemoryTrimmer.Threshold * 2;
        int collections = 0;
        using var trimmer = MemoryTrimmer.ForTest(() => heap, () => { collections++; heap = floor; }, clock, NullLogger.Instance);

        Assert.True(trimmer.Check());
        for (int i = 0; i < 5; i++)
        {
            clock.Advance(MemoryTrimmer.MinimumInterval * 2);
            Assert.False(trimmer.Check()); // idle above the threshold: nothing to gain
        }
        heap = floor + MemoryTrimmer.Threshold / 2 + 1; // garbage again
        clock.Advance(MemoryTrimmer.MinimumInterval * 2);
        Assert.True(trimmer.Check());
        Assert.Equal(2, collections);
    }
}
