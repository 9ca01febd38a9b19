using System.Globalization;

namespace Layered.Fsd.Bench.Workloads;

/// <summary>
/// Peak resident memory of a file system process per workload: VmHWM from /proc/PID/status, reset before each
/// workload by writing 5 to /proc/PID/clear_refs (the kernel's "reset peak RSS"), so each figure is that
/// workload's own peak rather than the peak since mount.
/// </summary>
internal static class PeakMemory
{
    public static void Reset(int pid)
    {
        try { File.WriteAllText($"/proc/{pid}/clear_refs", "5"); }
        catch (IOException) { } // an older kernel: the figure is then the peak since mount, still an upper bound
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>VmHWM in MiB, or NaN when the process is gone.</summary>
    public static double PeakMiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        return double.NaN;
    }
}
