using System.Globalization;
using System.Text;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Rendering;

/// <summary>Prints learners side by side as text: the summary metrics, how the last compares with the first, and every confusion table.</summary>
internal static class ComparisonTable
{
    public static string Render(IReadOnlyList<LearnerResult> results)
    {
        var rows = ReportWriter.SummaryRows(results);
        var header = new[] { "" }.Concat(results.Select(r => r.Name)).ToArray();
        var table = new List<string[]> { header };
        table.Add([.. new[] { "" }.Concat(results.Select(r => r.Description))]);
        table.AddRange(rows.Select(r => new[] { r.Name }.Concat(r.Values).ToArray()));
        var widths = Enumerable.Range(0, header.Length).Select(c => table.Max(row => row[c].Length)).ToArray();

        var sb = new StringBuilder();
        foreach (var (row, index) in table.Select((row, i) => (row, i)))
        {
            sb.Append(row[0].PadRight(widths[0]));
            for (int c = 1; c < row.Length; c++)
                sb.Append("   ").Append(row[c].PadLeft(widths[c]));
            sb.Append('\n');
            if (index == 1)
                sb.Append(new string('-', widths.Sum() + 3 * (widths.Length - 1))).Append('\n');
        }
        if (results.Count == 2 && Ratios(results[0], results[1]) is { } ratios)
            sb.Append('\n').Append(ratios).Append('\n');
        foreach (var r in results)
            sb.Append('\n').Append(r.Name).Append(": ").Append(r.Description).Append('\n').Append(r.Metrics.ConfusionMatrix.GetFormattedConfusionTable());
        return sb.ToString();
    }

    /// <summary>"cnn vs sdca: 4.1x fewer errors, 3.2x the training time, ..." or null when a figure is missing.</summary>
    public static string? Ratios(LearnerResult a, LearnerResult b)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        double errA = 1 - a.Metrics.MicroAccuracy, errB = 1 - b.Metrics.MicroAccuracy;
        if (errA > 0 && errB > 0)
            parts.Add(errB <= errA ? string.Create(inv, $"{errA / errB:0.0}x fewer errors") : string.Create(inv, $"{errB / errA:0.0}x more errors"));
        if (a.TrainSeconds is { } ta && b.TrainSeconds is { } tb && ta > 0)
            parts.Add(string.Create(inv, $"{tb / ta:0.0}x the training time"));
        if (a.LatencyMicroseconds is { } la && b.LatencyMicroseconds is { } lb && la > 0 && double.IsFinite(lb))
            parts.Add(string.Create(inv, $"{lb / la:0.0}x the latency"));
        if (a.ModelBytes is { } sa && b.ModelBytes is { } sb && sa > 0)
            parts.Add(string.Create(inv, $"{(double)sb / sa:0.0}x the size"));
        return parts.Count == 0 ? null : $"{b.Name} vs {a.Name}: {string.Join(", ", parts)}.";
    }
}
