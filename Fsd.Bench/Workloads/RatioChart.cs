using System.Globalization;
using System.Net;
using System.Text;

namespace Layered.Fsd.Bench.Workloads;

/// <summary>A horizontal bar chart of Layered's speed ratios per workload, as SVG (turned into PNG by rsvg-convert,
/// so no network or plotting package is needed). Lines at 1.0 (parity) and 0.8 (issue #9's streaming target vs bindfs).</summary>
internal static class RatioChart
{
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c"];

    public static string Svg(WorkloadResults results, IReadOnlyList<Metric> metrics, IReadOnlyList<string> others)
    {
        const int labelWidth = 250, plotWidth = 560, barHeight = 13, gap = 10, top = 50, right = 70;
        double max = Math.Max(2.0, metrics.SelectMany(m => others.Select(o => results.Ratio(m, o) ?? 0)).DefaultIfEmpty(0).Max());
        max = Math.Min(Math.Ceiling(max * 2) / 2, 4.0);
        int rowHeight = others.Count * barHeight + gap;
        int height = top + metrics.Count * rowHeight + 40;
        int width = labelWidth + plotWidth + right;
        double X(double ratio) => labelWidth + Math.Min(ratio, max) / max * plotWidth;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">Layered's speed relative to other file systems (&gt; 1 = Layered faster)</text>");
        for (int i = 0; i < others.Count; i++)
        {
            int lx = labelWidth + i * 160;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"28\" width=\"12\" height=\"12\" fill=\"{Colors[i % Colors.Length]}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 16}\" y=\"38\">vs {WebUtility.HtmlEncode(others[i])}</text>");
        }
        for (int m = 0; m < metrics.Count; m++)
        {
            int y = top + m * rowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 6}\" y=\"{y + others.Count * barHeight / 2 + 4}\" text-anchor=\"end\">{WebUtility.HtmlEncode(metrics[m].Label)}</text>");
            for (int o = 0; o < others.Count; o++)
            {
                int by = y + o * barHeight;
                if (results.Ratio(metrics[m], others[o]) is not { } ratio)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + 4}\" y=\"{by + barHeight - 3}\" fill=\"#888\">n/a</text>");
                    continue;
                }
                double w = X(ratio) - labelWidth;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{by}\" width=\"{w:F1}\" height=\"{barHeight - 2}\" fill=\"{Colors[o % Colors.Length]}\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + w + 4:F1}\" y=\"{by + barHeight - 3}\" font-size=\"10\">{ratio:F2}</text>");
            }
        }
        int bottom = top + metrics.Count * rowHeight;
        foreach (var (value, dash) in new[] { (1.0, ""), (0.8, " stroke-dasharray=\"4,3\"") })
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(value):F1}\" y1=\"{top - 4}\" x2=\"{X(value):F1}\" y2=\"{bottom}\" stroke=\"#c00\"{dash}/>");
        for (double tick = 0; tick <= max + 1e-9; tick += 0.5)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(tick):F1}\" y1=\"{bottom}\" x2=\"{X(tick):F1}\" y2=\"{bottom + 5}\" stroke=\"black\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(tick):F1}\" y=\"{bottom + 18}\" text-anchor=\"middle\">{tick:F1}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{labelWidth}\" y1=\"{bottom}\" x2=\"{labelWidth + plotWidth}\" y2=\"{bottom}\" stroke=\"black\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}
