using System.Globalization;

namespace Layered.Fsd.Bench.Workloads;

/// <summary>The runner's command line: sizes, repetitions, where to work and where to write results.</summary>
internal sealed record WorkloadOptions
{
    /// <summary>QUICK: small sizes and one run, to check the runner itself while the machine is busy.</summary>
    public bool Quick { get; init; }
    public int Runs { get; init; } = 3;
    public long StreamBytes { get; init; } = 1L << 30;
    public int SmallFiles { get; init; } = 10_000;
    public long FioFileBytes { get; init; } = 256L << 20;
    public int FioSeconds { get; init; } = 10;
    /// <summary>Scratch folder on the disk under test: per-contender backing folders, mount points, the tarball cache.</summary>
    public string WorkRoot { get; init; } = "/var/tmp/layered-bench";
    /// <summary>The built `layered` executable.</summary>
    public string? LayeredPath { get; init; }
    /// <summary>Folder for results.md, results.json, the chart (SVG and PNG).</summary>
    public string OutputDirectory { get; init; } = "artifacts/workloads";
    /// <summary>Restrict to these contenders (names as in the table); empty = all.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    public const string Usage =
        "usage: Fsd.Bench workloads [--quick] [--runs N] [--work DIR] [--layered PATH] [--out DIR] [--only a,b,...]\n" +
        "  --quick         small sizes (64 MiB stream, 500 small files, 16 MiB fio for 2 s, a small tarball), 1 run\n" +
        "  --runs N        runs per contender, alternating (default 3; the median is reported)\n" +
        "  --work DIR      scratch folder on the disk under test (default /var/tmp/layered-bench)\n" +
        "  --layered PATH  the built layered executable (default: found under artifacts/)\n" +
        "  --out DIR       where results.md, results.json and ratios.png go (default artifacts/workloads)\n" +
        "  --only LIST     comma-separated contenders: plain,bindfs,gocryptfs,securefs,cryfs,layered";

    public static WorkloadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new WorkloadOptions();
        bool quick = args.Contains("--quick");
        if (quick)
            options = options with { Quick = true, Runs = 1, StreamBytes = 64L << 20, SmallFiles = 500, FioFileBytes = 16L << 20, FioSeconds = 2 };
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option {arg} needs a value\n{Usage}");
            options = arg switch
            {
                "--quick" => options,
                "--runs" => options with { Runs = PositiveInt(arg, Value()) },
                "--work" => options with { WorkRoot = Path.GetFullPath(Value()) },
                "--layered" => options with { LayeredPath = Path.GetFullPath(Value()) },
                "--out" => options with { OutputDirectory = Path.GetFullPath(Value()) },
                "--only" => options with { Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                _ => throw new ArgumentException($"unknown option '{arg}'\n{Usage}"),
            };
        }
        return options;
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"option {option} needs a positive whole number, not '{value}'");
}
