namespace Layered.Fsd.Bench.Workloads;

/// <summary>
/// The side-by-side workload suite (issue #9): every available contender mounted fresh over its own folder on the
/// same disk, the whole workload sequence run on each, runs alternating between contenders (in an order that changes
/// every run, <see cref="RunOrder"/>; contenders that slow whoever follows them go after all runs of the others), medians reported with Layered's ratios to gocryptfs and bindfs, and peak memory of each file system process.
/// </summary>
internal static class WorkloadRunner
{
    public static int Run(string[] args)
    {
        WorkloadOptions options;
        try { options = WorkloadOptions.Parse(args); }
        catch (ArgumentException e) { Console.Error.WriteLine($"workloads: {e.Message}"); return 2; }
        if (Environment.UserName != "root")
        {
            Console.Error.WriteLine("workloads: must run as root (drops the page cache through /proc/sys/vm/drop_caches)");
            return 2;
        }
        var paths = new BenchPaths(options);
        var results = new WorkloadResults(options);
        var contenders = Contender.All.Where(c => options.Only.Count == 0 || options.Only.Contains(c.Name)).ToList();
        foreach (var unknown in options.Only.Where(n => Contender.All.All(c => c.Name != n)))
        {
            Console.Error.WriteLine($"workloads: unknown contender '{unknown}' in --only");
            return 2;
        }
        var available = new List<Contender>();
        foreach (var contender in contenders)
        {
            if (contender.Unavailable(paths) is { } reason)
            {
                results.Skip(contender.Name, reason);
                Log($"SKIPPED {contender.Name}: {reason}");
            }
            else
                available.Add(contender);
        }
        Log($"{(options.Quick ? "QUICK" : "FULL")}: {options.Runs} run(s) of {string.Join(", ", available.Select(c => c.Name))}; tarball {paths.Tarball}");
        // Contenders that slow whoever follows them run after all runs of the others, not among them: otherwise the
        // figures of whoever the order happens to put after them measure their aftermath.
        var others = available.Where(c => !c.SlowsWhoeverFollows).ToList();
        var disturbing = available.Where(c => c.SlowsWhoeverFollows).ToList();
        foreach (var group in new[] { others, disturbing })
        {
            for (int run = 0; run < options.Runs; run++)
            {
                foreach (var contender in RunOrder.For(group, run))
                    RunOne(contender, run, options, paths, results);
            }
        }
        results.Write(options.OutputDirectory);
        Log($"results in {options.OutputDirectory}");
        return 0;
    }

    private static void RunOne(Contender contender, int run, WorkloadOptions options, BenchPaths paths, WorkloadResults results)
    {
        string home = Path.Combine(paths.WorkRoot, contender.Name);
        string backing = Path.Combine(home, "backing");
        string mountPoint = Path.Combine(home, "mnt");
        try
        {
            if (MountSession.IsMounted(mountPoint))
                ExternalCommand.Run("fusermount3", ["-u", mountPoint]);
            if (Directory.Exists(home))
                Directory.Delete(home, recursive: true);
            Directory.CreateDirectory(backing);
            Directory.CreateDirectory(mountPoint);
            contender.Create(backing, paths);
            using var session = contender.Mount(backing, mountPoint, paths);
            Log($"run {run + 1}: {contender.Name} mounted{(session.ProcessId is { } p ? $" (pid {p})" : "")}");
            foreach (var workload in Workload.Sequence)
            {
                if (session.ProcessId is { } pid)
                    PeakMemory.Reset(pid);
                var values = workload.Run(session.MountPoint, options, paths);
                double peak = session.ProcessId is { } pid2 ? PeakMemory.PeakMiB(pid2) : double.NaN;
                for (int i = 0; i < values.Count; i++)
                    results.Add(contender.Name, workload.Metrics[i], values[i]);
                if (!double.IsNaN(peak))
                    results.AddPeak(contender.Name, workload.Name, peak);
                Log($"run {run + 1}: {contender.Name,-9} {workload.Name,-16} {string.Join("  ", values.Select((v, i) => $"{v:F2} {workload.Metrics[i].Unit}"))}" +
                    (double.IsNaN(peak) ? "" : $"  peak RSS {peak:F0} MiB"));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            results.Fail(contender.Name, run, e.Message);
            Log($"run {run + 1}: {contender.Name} FAILED: {e.Message}");
        }
        finally
        {
            try
            {
                if (Directory.Exists(home) && !MountSession.IsMounted(mountPoint))
                    Directory.Delete(home, recursive: true);
            }
            catch (IOException e) { Log($"could not clean {home}: {e.Message}"); }
        }
    }

    private static void Log(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
