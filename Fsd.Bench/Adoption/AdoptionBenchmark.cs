using System.Diagnostics;
using System.Globalization;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd.Bench.Workloads;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Fsd.Bench.Adoption;

/// <summary>
/// Adoption throughput next to `cp -a` of the same tree on the same disk, in one run (issue #10):
/// `dotnet run -c Release --project Fsd.Bench -- adoption [options]`. Each round times, in alternating order,
/// `cp -a SOURCE fresh && sync` and the in-process adoption (FolderConverter, what `layered init --adopt` runs after
/// creating the vault) of a fresh `cp -a` copy, followed by `sync`. Before each timed step the page cache is dropped,
/// so both read the tree from the disk, and both end with everything on the disk: cp's writes by its `sync`,
/// adoption's by its own fsyncs (its trailing `sync` finds little left). Vault creation (password KDF) is not timed.
/// </summary>
internal static class AdoptionBenchmark
{
    private const string Password = "adoption-bench-password";

    public static int Run(string[] args)
    {
        AdoptionBenchOptions options;
        try { options = AdoptionBenchOptions.Parse(args); }
        catch (ArgumentException e) { Console.Error.WriteLine($"adoption: {e.Message}"); return 2; }
        if (Environment.UserName != "root")
        {
            Console.Error.WriteLine("adoption: must run as root (drops the page cache through /proc/sys/vm/drop_caches)");
            return 2;
        }
        if (!Directory.Exists(options.Source))
        {
            Console.Error.WriteLine($"adoption: --source '{options.Source}' is not a folder");
            return 2;
        }
        Directory.CreateDirectory(options.WorkRoot);
        string tree = Path.Combine(options.WorkRoot, "tree");
        if (!Directory.Exists(tree))
        {
            Log($"copying {options.Source} to {tree} once");
            ExternalCommand.Run("cp", ["-a", options.Source, tree + ".partial"]);
            Directory.Move(tree + ".partial", tree);
        }
        var (files, bytes) = Measure(tree);
        Log($"tree: {files} files, {bytes / 1048576.0:F1} MiB; {options.Runs} round(s)");

        var contenders = new List<(string Name, Func<string, TimeSpan> Time)>
        {
            ("cp -a + sync", target => TimeCopy(tree, target)),
            ("adopt (syncfs per batch)", target => TimeAdoption(tree, target, BatchDurability.SyncFileSystem)),
        };
        if (options.CompareFsync)
            contenders.Add(("adopt (fsync per file)", target => TimeAdoption(tree, target, BatchDurability.SyncEachFile)));
        var seconds = contenders.ToDictionary(c => c.Name, _ => new List<double>());
        for (int round = 0; round < options.Runs; round++)
        {
            int shift = round % contenders.Count;
            foreach (var (name, time) in contenders.Skip(shift).Concat(contenders.Take(shift)))
            {
                string target = Path.Combine(options.WorkRoot, "run");
                Remove(target);
                double s = time(target).TotalSeconds;
                seconds[name].Add(s);
                Log($"round {round + 1}: {name,-26} {s,7:F2} s  {bytes / 1048576.0 / s,7:F1} MiB/s  {files / s,7:F0} files/s");
                Remove(target);
            }
        }

        double cpMedian = Median(seconds[contenders[0].Name]);
        Console.WriteLine();
        Console.WriteLine($"Adoption benchmark: {files} files, {bytes / 1048576.0:F1} MiB from {options.Source}; median of {options.Runs} round(s)");
        Console.WriteLine($"| {"contender",-26} | {"seconds",8} | {"MiB/s",8} | {"files/s",8} | {"rate vs cp -a",13} |");
        Console.WriteLine($"|{new string('-', 28)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 15)}|");
        foreach (var (name, _) in contenders)
        {
            double s = Median(seconds[name]);
            Console.WriteLine($"| {name,-26} | {s,8:F2} | {bytes / 1048576.0 / s,8:F1} | {files / s,8:F0} | {cpMedian / s,12:P0} |");
        }
        return 0;
    }

    private static TimeSpan TimeCopy(string tree, string target)
    {
        DropCaches();
        var clock = Stopwatch.StartNew();
        ExternalCommand.Run("cp", ["-a", tree, target]);
        ExternalCommand.Run("sync", []);
        return clock.Elapsed;
    }

    private static TimeSpan TimeAdoption(string tree, string target, BatchDurability durability)
    {
        ExternalCommand.Run("cp", ["-a", tree, target]);
        using (var created = Vault.Create(target, System.Text.Encoding.UTF8.GetBytes(Password), new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly }))
        using (var initial = new DirectoryBackingStore(target))
            Volume.InitializeStore(initial, new JournalOptions(), NullLoggerFactory.Instance);
        using var keys = Vault.Unlock(target, System.Text.Encoding.UTF8.GetBytes(Password));
        int toConvert; // every regular file but the empty ones (an empty file reads the same either way)
        using (var survey = new DirectoryBackingStore(target))
            toConvert = FolderSurvey.Run(survey, ConversionDirection.Encrypt).Files;
        DropCaches();
        var clock = Stopwatch.StartNew();
        ConversionResult result;
        using (var store = new DirectoryBackingStore(target))
        using (var volume = Volume.Mount(new VolumeOptions { Store = store, Vault = keys, LoggerFactory = NullLoggerFactory.Instance, CheckpointInterval = TimeSpan.Zero }))
            result = new FolderConverter(volume, NullLogger.Instance) { Durability = durability }.Run(ConversionDirection.Encrypt, null, CancellationToken.None);
        ExternalCommand.Run("sync", []);
        var elapsed = clock.Elapsed;
        if (!result.Complete || result.FilesConverted != toConvert)
            throw new InvalidOperationException($"adoption of {target} converted {result.FilesConverted} of {toConvert} files: {string.Join("; ", result.Failures)}");
        using (var check = new DirectoryBackingStore(target))
        {
            int left = FolderSurvey.Run(check, ConversionDirection.Encrypt).Files;
            if (left != 0)
                throw new InvalidOperationException($"adoption of {target} left {left} plaintext files");
        }
        return elapsed;
    }

    /// <summary>Regular files (not symlinks) and their bytes.</summary>
    private static (long Files, long Bytes) Measure(string tree)
    {
        long files = 0, bytes = 0;
        foreach (var info in new DirectoryInfo(tree).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (info.LinkTarget is not null)
                continue;
            files++;
            bytes += info.Length;
        }
        return (files, bytes);
    }

    private static void DropCaches()
    {
        ExternalCommand.Run("sync", []);
        File.WriteAllText("/proc/sys/vm/drop_caches", "3");
    }

    private static void Remove(string path)
    {
        if (Directory.Exists(path))
            ExternalCommand.Run("rm", ["-rf", path]);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void Log(string line) =>
        Console.Error.WriteLine($"[{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {line}");
}
