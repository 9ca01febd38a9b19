using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Layered.Fsd.Bench.Workloads;

/// <summary>One figure a workload produces. Rates are higher-is-better; durations are lower-is-better.</summary>
internal sealed record Metric(string Key, string Label, string Unit, bool HigherIsBetter);

/// <summary>One step of the workload sequence run on a fresh mount, yielding one or more figures.</summary>
internal abstract class Workload
{
    public abstract string Name { get; }
    public abstract IReadOnlyList<Metric> Metrics { get; }
    public abstract IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths);

    /// <summary>gocryptfs's canonical set plus fio and the small-files workload, in the order they run on one mount
    /// (read needs write's file; md5sum, ls -lR and rm -rf need untar's tree).</summary>
    public static IReadOnlyList<Workload> Sequence { get; } =
    [
        new StreamingWrite(), new StreamingRead(), new Untar(), new Md5Sum(), new ListRecursive(), new RemoveTree(),
        new FioRandom("randwrite"), new FioRandom("randread"), new SmallFiles(),
    ];

    /// <summary>Writes back dirty pages and drops the page, dentry and inode caches (so reads reach the file system).</summary>
    /// <remarks>Also run before the workloads that create many files: ext4 without a journal (this machine's disk)
    /// skips every inode freed in the last minute (six if its inode table block is still dirty) while it searches a
    /// block group for a free one, so creates after the previous workloads' deletions, the previous contender's
    /// included, were slowed by a scan that depended on the run order (about 60 % of a plain-folder create loop's
    /// samples were in that scan: recently_deleted and the lookups under it). The check only looks at inode table
    /// blocks still in the buffer cache, so dropping it gives every contender a similar start (blocks read back during
    /// the loop are checked again).</remarks>
    protected static void DropCaches()
    {
        ExternalCommand.Run("sync", []);
        File.WriteAllText("/proc/sys/vm/drop_caches", "3");
    }

    protected static double Seconds(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    protected static string Inv(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>dd of zeros in 128 KiB writes (gocryptfs's canonical block size), fsync at the end (conv=fsync).</summary>
internal sealed class StreamingWrite : Workload
{
    public const string FileName = "stream.bin";
    public const int BlockSize = 128 * 1024;
    public override string Name => "streaming write";
    public override IReadOnlyList<Metric> Metrics { get; } = [new("write", "streaming write + fsync", "MiB/s", true)];
    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths)
    {
        long count = options.StreamBytes / BlockSize;
        double s = Seconds(() => ExternalCommand.Run("dd",
            ["if=/dev/zero", $"of={Path.Combine(root, FileName)}", $"bs={BlockSize}", $"count={Inv(count)}", "conv=fsync", "status=none"]));
        return [options.StreamBytes / 1048576.0 / s];
    }
}

/// <summary>dd of the streamed file to /dev/null in 128 KiB reads after dropping the caches, then once more (a new
/// open, caches as the first read left them: a file read again, as builds and searches do); the file is removed
/// after.</summary>
internal sealed class StreamingRead : Workload
{
    public override string Name => "streaming read";
    public override IReadOnlyList<Metric> Metrics { get; } =
    [
        new("read", "streaming read (cold cache)", "MiB/s", true),
        new("reread", "streaming read again (warm cache)", "MiB/s", true),
    ];
    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths)
    {
        string file = Path.Combine(root, StreamingWrite.FileName);
        DropCaches();
        double cold = Seconds(() => ReadOnce(file));
        double warm = Seconds(() => ReadOnce(file));
        File.Delete(file);
        return [options.StreamBytes / 1048576.0 / cold, options.StreamBytes / 1048576.0 / warm];
    }

    private static void ReadOnce(string file) =>
        ExternalCommand.Run("dd", [$"if={file}", "of=/dev/null", $"bs={StreamingWrite.BlockSize}", "status=none"]);
}

/// <summary>tar -xf of the .NET SDK tarball into a new folder (caches dropped first, see DropCaches; the tarball read back
/// into the page cache).</summary>
internal sealed class Untar : Workload
{
    public const string TreeName = "tree";
    public override string Name => "untar";
    public override IReadOnlyList<Metric> Metrics { get; } = [new("untar", "untar .NET SDK", "s", false)];
    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths)
    {
        string tree = Path.Combine(root, TreeName);
        Directory.CreateDirectory(tree);
        DropCaches();
        // The tarball is input, outside the mount: read it back into the page cache so the figure stays the
        // file system's work (as before the drop), not the disk's read of 404 MiB.
        ExternalCommand.Run("dd", [$"if={paths.Tarball}", "of=/dev/null", "bs=1M", "status=none"]);
        return [Seconds(() => ExternalCommand.Run("tar", ["-xf", paths.Tarball, "-C", tree]))];
    }
}

internal sealed class Md5Sum : Workload
{
    public override string Name => "md5sum";
    public override IReadOnlyList<Metric> Metrics { get; } = [new("md5sum", "md5sum all files (cold)", "s", false)];
    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths)
    {
        string tree = Path.Combine(root, Untar.TreeName);
        DropCaches();
        return [Seconds(() => ExternalCommand.Shell($"cd '{tree}' && find . -type f -print0 | xargs -0 md5sum > /dev/null"))];
    }
}

internal sealed class ListRecursive : Workload
{
    public override string Name => "ls -lR";
    public override IReadOnlyList<Metric> Metrics { get; } = [new("ls", "ls -lR (cold)", "s", false)];
    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths)
    {
        string tree = Path.Combine(root, Untar.TreeName);
        DropCaches();
        return [Seconds(() => ExternalCommand.Shell($"ls -lR '{tree}' > /dev/null"))];
    }
}

internal sealed class RemoveTree : Workload
{
    public override string Name => "rm -rf";
    public override IReadOnlyList<Metric> Metrics { get; } = [new("rm", "rm -rf", "s", false)];
    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths) =>
        [Seconds(() => ExternalCommand.Run("rm", ["-rf", Path.Combine(root, Untar.TreeName)]))];
}

/// <summary>fio 4 KiB random writes or reads (psync, buffered, one job, time-based) on one file; reads invalidate
/// the file's cache first. The randwrite run lays the file out; randread reuses it and removes it after.</summary>
internal sealed class FioRandom(string mode) : Workload
{
    private const string FileName = "fio.bin";
    public override string Name => $"fio {mode}";
    public override IReadOnlyList<Metric> Metrics { get; } = [new($"fio-{mode}", $"fio 4 KiB {mode}", "IOPS", true)];
    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths)
    {
        string file = Path.Combine(root, FileName);
        string json = ExternalCommand.Run("fio", [
            "--name=bench", $"--filename={file}", $"--size={Inv(options.FioFileBytes)}", "--bs=4k", $"--rw={mode}",
            "--ioengine=psync", "--direct=0", "--fallocate=none", "--invalidate=1", "--time_based", $"--runtime={options.FioSeconds}",
            "--randrepeat=1", "--output-format=json", .. mode == "randwrite" ? new[] { "--end_fsync=1" } : []]);
        if (mode == "randread")
            File.Delete(file);
        using var doc = JsonDocument.Parse(json[json.IndexOf('{')..]);
        var job = doc.RootElement.GetProperty("jobs")[0];
        return [job.GetProperty(mode == "randread" ? "read" : "write").GetProperty("iops").GetDouble()];
    }
}

/// <summary>N files of 4 KiB (caches dropped first): create+write+close each, then (caches dropped) stat each, then delete each.</summary>
internal sealed class SmallFiles : Workload
{
    public override string Name => "small files";
    public override IReadOnlyList<Metric> Metrics { get; } =
    [
        new("small-create", "small files: create 4 KiB", "files/s", true),
        new("small-stat", "small files: stat (cold)", "files/s", true),
        new("small-delete", "small files: delete", "files/s", true),
    ];

    public override IReadOnlyList<double> Run(string root, WorkloadOptions options, BenchPaths paths)
    {
        string dir = Path.Combine(root, "small");
        Directory.CreateDirectory(dir);
        var names = Enumerable.Range(0, options.SmallFiles).Select(i => Path.Combine(dir, $"f{i:D5}.dat")).ToArray();
        var content = new byte[4096];
        new Random(1).NextBytes(content);
        DropCaches();
        double create = Seconds(() =>
        {
            foreach (var name in names)
            {
                using var stream = new FileStream(name, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
                stream.Write(content);
            }
        });
        DropCaches();
        long total = 0;
        double stat = Seconds(() =>
        {
            foreach (var name in names)
                total += new FileInfo(name).Length;
        });
        if (total != 4096L * names.Length)
            throw new InvalidOperationException($"small files: stat saw {total} bytes in {dir}, expected {4096L * names.Length}");
        double delete = Seconds(() =>
        {
            foreach (var name in names)
                File.Delete(name);
        });
        Directory.Delete(dir);
        return [names.Length / create, names.Length / stat, names.Length / delete];
    }
}
