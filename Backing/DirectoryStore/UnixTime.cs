namespace Layered.Backing.DirectoryStore;

/// <summary>Conversions between DateTime (UTC, 100 ns ticks) and Unix seconds + nanoseconds.</summary>
internal static class UnixTime
{
    public static DateTime FromUnix(long seconds, long nanoseconds) =>
        DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanoseconds / 100);

    public static (long Seconds, long Nanoseconds) ToUnix(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        var ticks = (utc - DateTime.UnixEpoch).Ticks;
        // Floor division so times before 1970 keep a nanosecond part in [0, 1e9).
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }
        return (seconds, remainder * 100);
    }
}
