using System.Runtime.InteropServices;

namespace Layered.Fuse;

/// <summary>
/// A point in time as POSIX <c>struct timespec</c> holds it (seconds and nanoseconds since the
/// Unix epoch). Laid out exactly as the 64-bit <c>timespec</c>, so it is passed to and from
/// native code without conversion.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct PosixTime : IEquatable<PosixTime>
{
    /// <summary>utimensat's "set to the current time" marker in <see cref="Nanoseconds"/>.</summary>
    public const long UtimeNow = (1L << 30) - 1;

    /// <summary>utimensat's "leave unchanged" marker in <see cref="Nanoseconds"/>.</summary>
    public const long UtimeOmit = (1L << 30) - 2;

    public PosixTime(long seconds, long nanoseconds)
    {
        Seconds = seconds;
        Nanoseconds = nanoseconds;
    }

    public long Seconds { get; }

    public long Nanoseconds { get; }

    /// <summary>True when a utimens request asks for "now" rather than a given time.</summary>
    public bool IsNow => Nanoseconds == UtimeNow;

    /// <summary>True when a utimens request leaves this time unchanged.</summary>
    public bool IsOmit => Nanoseconds == UtimeOmit;

    public static PosixTime FromDateTime(DateTime time)
    {
        long ticks = time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        return new PosixTime(seconds, rest * 100);
    }

    public static PosixTime Now() => FromDateTime(DateTime.UtcNow);

    public DateTime ToDateTime() =>
        DateTime.UnixEpoch.AddTicks(Seconds * TimeSpan.TicksPerSecond + Nanoseconds / 100);

    public bool Equals(PosixTime other) => Seconds == other.Seconds && Nanoseconds == other.Nanoseconds;

    public override bool Equals(object? obj) => obj is PosixTime other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Seconds, Nanoseconds);

    public override string ToString() => $"{Seconds}.{Nanoseconds:D9}";

    public static bool operator ==(PosixTime left, PosixTime right) => left.Equals(right);

    public static bool operator !=(PosixTime left, PosixTime right) => !left.Equals(right);
}
