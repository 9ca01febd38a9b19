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
        long workingSet = MemoryTrimmer.Threshold - 1;
        int collections = 0;
        using var trimmer = MemoryTrimmer.ForTest(() => workingSet, () => collections++, clock, NullLogger.Instance);

        Assert.False(trimmer.Check()); // below the threshold: nothing to do
        workingSet = MemoryTrimmer.Threshold + (64L << 20);
        Assert.True(trimmer.Check());
        Assert.Equal(1, collections);

        clock.Advance(MemoryTrimmer.MinimumInterval - TimeSpan.FromMilliseconds(1));
        Assert.False(trimmer.Check()); // still above, but collected too recently
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(trimmer.Check());
        Assert.Equal(2, collections);

        workingSet = MemoryTrimmer.Threshold / 2;
        clock.Advance(MemoryTrimmer.MinimumInterval * 2);
        Assert.False(trimmer.Check());
        Assert.Equal(2, collections);
    }
}
