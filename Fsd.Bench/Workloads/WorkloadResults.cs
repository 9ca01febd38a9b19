using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Layered.Fsd.Bench.Workloads;

/// <summary>Every figure of every run, and the report made from them: results.json (raw), results.md (medians,
/// ratios, peak memory, skips and failures) and ratios.svg/.png (Layered's speed ratios).</summary>
internal sealed class WorkloadResults(WorkloadOptions options)
{
    private readonly List<(string Contender, Metric Metric, double Value)> _values = [];
    private readonly List<(string Contender, string Workload, double PeakMiB)> _peaks = [];
    private readonly List<(string Contender, string Reason)> _skipped = [];
    private readonly List<(string Contender, int Run, string Message)> _failures = [];

    public void Add(string contender, Metric metric, double value) => _values.Add((contender, metric, value));
    public void AddPeak(string contender, string workload, double peak) => _peaks.Add((contender, workload, peak));
    public void Skip(string contender, string reason) => _skipped.Add((contender, reason));
    public void Fail(string contender, int run, string message) => _failures.Add((contender, run, message));

    private static readonly string[] Compared = ["gocryptfs", "bindfs"];

    private IEnumerable<string> Contenders => Contender.All.Select(c => c.Name).Where(n => _values.Any(v => v.Contender == n));
    private IEnumerable<Metric> Metrics => Workload.Sequence.SelectMany(w => w.Metrics);

    public double? Median(string contender, string metricKey)
    {
        var values = _values.Where(v => v.Contender == contender && v.Metric.Key == metricKey).Select(v => v.Value).Order().ToArray();
        if (values.Length == 0)
            return null;
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }

    /// <summary>Layered's speed relative to another contender: above 1 means Layered is faster (rates divided,
    /// durations inverted).</summary>
    public double? Ratio(Metric metric, string other)
    {
        if (Median("layered", metric.Key) is not { } mine || Median(other, metric.Key) is not { } theirs || mine <= 0 || theirs <= 0)
            return null;
        return metric.HigherIsBetter ? mine / theirs : theirs / mine;
    }

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(new
        {
            quick = options.Quick,
            runs = options.Runs,
            values = _values.Select(v => new { contender = v.Contender, metric = v.Metric.Key, unit = v.Metric.Unit, value = v.Value }),
            peaks = _peaks.Select(p => new { contender = p.Contender, workload = p.Workload, peakMiB = double.IsNaN(p.PeakMiB) ? (double?)null : p.PeakMiB }),
            skipped = _skipped.Select(s => new { contender = s.Contender, reason = s.Reason }),
            failures = _failures.Select(f => new { contender = f.Contender, run = f.Run + 1, message = f.Message }),
        }, new JsonSerializerOptions { WriteIndented = true }));
        string markdown = Markdown();
        File.WriteAllText(Path.Combine(directory, "results.md"), markdown);
        Console.WriteLine(markdown);
        string svg = Path.Combine(directory, "ratios.svg");
        File.WriteAllText(svg, RatioChart.Svg(this, Metrics.ToList(), Compared));
        if (ExternalCommand.Find("rsvg-convert") is not null)
            ExternalCommand.Run("rsvg-convert", ["-o", Path.Combine(directory, "ratios.png"), svg]);
        else
            Console.Error.WriteLine("workloads: rsvg-convert (Debian librsvg2-bin) not installed; ratios.png not drawn");
    }

    private string Markdown()
    {
        var contenders = Contenders.ToList();
        var md = new StringBuilder();
        string sizes = $"streaming {options.StreamBytes >> 20} MiB, {options.SmallFiles} small files, fio file {options.FioFileBytes >> 20} MiB for {options.FioSeconds} s";
        md.AppendLine(CultureInfo.InvariantCulture, $"{(options.Quick ? "QUICK" : "FULL")} run: median of {options.Runs} run(s); {sizes}.");
        md.AppendLine();
        md.AppendLine($"| workload | unit | {string.Join(" | ", contenders)} | Layered / gocryptfs | Layered / bindfs |");
        md.AppendLine($"|---|---|{string.Concat(contenders.Select(_ => "---:|"))}---:|---:|");
        foreach (var metric in Metrics)
        {
            var cells = contenders.Select(c => Median(c, metric.Key) is { } v ? Format(v) : "–");
            var ratios = Compared.Select(o => Ratio(metric, o) is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "–");
            md.AppendLine($"| {metric.Label} | {metric.Unit}{(metric.HigherIsBetter ? " ↑" : " ↓")} | {string.Join(" | ", cells)} | {string.Join(" | ", ratios)} |");
        }
        md.AppendLine();
        md.AppendLine("Ratios are Layered's speed relative to the other: above 1.00 Layered is faster (rates divided, durations inverted).");
        md.AppendLine();
        var withProcess = contenders.Where(c => _peaks.Any(p => p.Contender == c && !double.IsNaN(p.PeakMiB))).ToList();
        if (withProcess.Count > 0)
        {
            md.AppendLine("Peak resident memory of the file system process (VmHWM, MiB, highest over the runs; reset before each workload):");
            md.AppendLine();
            md.AppendLine($"| workload | {string.Join(" | ", withProcess)} |");
            md.AppendLine($"|---|{string.Concat(withProcess.Select(_ => "---:|"))}");
            foreach (var workload in Workload.Sequence)
            {
                var cells = withProcess.Select(c =>
                {
                    var peaks = _peaks.Where(p => p.Contender == c && p.Workload == workload.Name && !double.IsNaN(p.PeakMiB)).Select(p => p.PeakMiB).ToList();
                    return peaks.Count > 0 ? peaks.Max().ToString("F0", CultureInfo.InvariantCulture) : "–";
                });
                md.AppendLine($"| {workload.Name} | {string.Join(" | ", cells)} |");
            }
            md.AppendLine();
        }
        foreach (var (contender, reason) in _skipped)
            md.AppendLine($"* SKIPPED {contender}: {reason}");
        foreach (var (contender, run, message) in _failures)
            md.AppendLine($"* FAILED {contender}, run {run + 1}: {message}");
        return md.ToString();
    }

    private static string Format(double value) =>
        value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("F2", CultureInfo.InvariantCulture);
}
