using System.Globalization;
using System.Text;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Rendering;

/// <summary>
/// Prints learners side by side as text: the summary metrics, how the last compares with the first (a headline such as
/// "CNN makes 4.1x fewer errors than SDCA", then the other ratios), and every confusion table.
/// </summary>
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
        if (results.Count == 2)
        {
            sb.Append('\n');
            if (Headline(results[0], results[1]) is { } headline)
                sb.Append(headline).Append('\n');
            if (Ratios(results[0], results[1]) is { } ratios)
                sb.Append(ratios).Append('\n');
        }
        foreach (var r in results)
            sb.Append('\n').Append(r.Name).Append(": ").Append(r.Description).Append('\n').Append(r.Metrics.ConfusionMatrix.GetFormattedConfusionTable());
        return sb.ToString();
    }

    /// <summary>
    /// "CNN makes 4.1x fewer errors than SDCA (181 vs 743 of 10,000 test images)." — or "as many errors as", or null when
    /// either made none (a ratio with zero means nothing).
    /// </summary>
    public static string? Headline(LearnerResult a, LearnerResult b)
    {
        long errA = a.MisclassifiedCount, errB = b.MisclassifiedCount;
        if (errA == 0 || errB == 0)
            return null;
        var inv = CultureInfo.InvariantCulture;
        var counts = string.Create(inv, $"({errB:N0} vs {errA:N0} of {b.RowCount:N0} test images)");
        string nameA = Display(a.Name), nameB = Display(b.Name);
        if (errA == errB)
            return $"{nameB} makes as many errors as {nameA} {counts}.";
        return errB < errA
            ? string.Create(inv, $"{nameB} makes {(double)errA / errB:0.0}x fewer errors than {nameA} {counts}.")
            : string.Create(inv, $"{nameB} makes {(double)errB / errA:0.0}x more errors than {nameA} {counts}.");
    }

    /// <summary>"CNN" and "SDCA" for the learners' short names; other names as they are.</summary>
    private static string Display(string name) => name is "cnn" or "sdca" ? name.ToUpperInvariant() : name;

    /// <summary>"cnn vs sdca: 3.2x the training time, 2.1x the latency, 54.0x the size." or null when a figure is missing (the errors are in <see cref="Headline"/>).</summary>
    public static string? Ratios(LearnerResult a, LearnerResult b)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (a.TrainSeconds is { } ta && b.TrainSeconds is { } tb && ta > 0)
            parts.Add(string.Create(inv, $"{tb / ta:0.0}x the training time"));
        if (a.LatencyMicroseconds is { } la && b.LatencyMicroseconds is { } lb && la > 0 && double.IsFinite(lb))
            parts.Add(string.Create(inv, $"{lb / la:0.0}x the latency"));
        if (a.ModelBytes is { } sa && b.ModelBytes is { } sb && sa > 0)
            parts.Add(string.Create(inv, $"{(double)sb / sa:0.0}x the size"));
        return parts.Count == 0 ? null : $"{b.Name} vs {a.Name}: {string.Join(", ", parts)}.";
    }
}
