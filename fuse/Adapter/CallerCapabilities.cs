using System.Globalization;

namespace Layered.Fuse.Adapter;

/// <summary>
/// Whether the process behind a request holds CAP_FSETID, which decides whether its write, truncate or chown
/// clears set-user-ID and set-group-ID. Asked only for files that carry one of those bits.
/// </summary>
internal static class CallerCapabilities
{
    private const int CapFsetid = 4;

    /// <summary>
    /// The kernel's own answer when the request carried it (<see cref="FuseRequestContext.KillSetIdBits"/>);
    /// otherwise the effective capability set in /proc/PID/status; if that cannot be read (the process is gone),
    /// "not root".
    /// </summary>
    public static bool LacksFsetid(in FuseRequestContext caller)
    {
        if (caller.KillSetIdBits is { } known)
            return known;
        return EffectiveCapabilities(caller.Pid) is { } set ? (set & (1UL << CapFsetid)) == 0 : caller.Uid != 0;
    }

    private static ulong? EffectiveCapabilities(int pid)
    {
        if (pid <= 0)
            return null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong set))
                    return set;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
