using System.Globalization;

namespace Layered.Fsd.Bench.Adoption;

/// <summary>The adoption benchmark's command line.</summary>
internal sealed record AdoptionBenchOptions
{
    public int Runs { get; init; } = 3;
    /// <summary>The tree adopted (copied once into the work folder, so every run starts from the same copy).</summary>
    public string Source { get; init; } = "/usr/share/dotnet";
    /// <summary>Scratch folder on the disk under test.</summary>
    public string WorkRoot { get; init; } = "/var/tmp/layered-adoption-bench";
    /// <summary>Also time adoption with an fsync per file instead of one syncfs per batch.</summary>
    public bool CompareFsync { get; init; }

    public const string Usage =
        "usage: Fsd.Bench adoption [--runs N] [--source DIR] [--work DIR] [--compare-fsync]\n" +
        "  --runs N         rounds, each timing every contender once, alternating order (default 3; medians reported)\n" +
        "  --source DIR     tree to adopt (default /usr/share/dotnet: ~600 MiB, ~5,000 files)\n" +
        "  --work DIR       scratch folder on the disk under test (default /var/tmp/layered-adoption-bench)\n" +
        "  --compare-fsync  also time adoption that fsyncs each copy instead of one syncfs per batch";

    public static AdoptionBenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new AdoptionBenchOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option {arg} needs a value\n{Usage}");
            options = arg switch
            {
                "--runs" => options with
                {
                    Runs = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                        ? n : throw new ArgumentException($"option --runs needs a positive whole number, not '{args[i]}'"),
                },
                "--source" => options with { Source = Path.GetFullPath(Value()) },
                "--work" => options with { WorkRoot = Path.GetFullPath(Value()) },
                "--compare-fsync" => options with { CompareFsync = true },
                _ => throw new ArgumentException($"unknown option '{arg}'\n{Usage}"),
            };
        }
        return options;
    }
}
