using System.Globalization;
using System.Net;
using System.Text;
using MlNetDigits.Cli.Rendering;

namespace MlNetDigits.Cli.Reports;

/// <summary>
/// Writes a report folder for one or more models, laid out side by side: report.html and report.md with a metrics table
/// (a column per model), the training curves of every model together in one chart per measure, confusion matrices and
/// reliability diagrams next to each other, per-class F1 as grouped bars, and each model's most confident mistakes in its
/// own column. Charts are the library's (<see cref="Charts"/>, drawn by ScottPlot) as SVG files under charts/; the
/// mistakes are PNG images under misclassified/. Every file is written atomically and the documents reference only
/// files written here.
/// </summary>
internal static class ReportWriter
{
    /// <summary>How many times the gallery images are enlarged (nearest neighbour), so a 28 x 28 digit is readable.</summary>
    public const int GalleryScale = 3;

    /// <summary>The folder of the charts, inside the report folder.</summary>
    public const string ChartFolder = "charts";

    /// <summary>The folder of the gallery images, inside the report folder.</summary>
    public const string GalleryFolder = "misclassified";

    /// <summary>The folder inside the report folder where <c>compare</c> puts the models it trained.</summary>
    public const string ModelFolder = "models";

    /// <summary>The mark in report.html by which a folder is known to hold an earlier report (which may be replaced).</summary>
    private const string GeneratorTag = "<meta name=\"generator\" content=\"mlnetdigits\">";

    /// <summary>
    /// Checks that a report may be written into <paramref name="folder"/>: it does not exist, is empty, or holds an earlier
    /// report of this tool (whose files are then replaced). Anything else is a user's folder and is refused, so a
    /// mistyped <c>--report</c> overwrites nothing.
    /// </summary>
    /// <exception cref="UsageException">The folder holds files, and no earlier report.</exception>
    public static void CheckFolder(string folder)
    {
        if (File.Exists(folder))
            throw new UsageException($"--report '{folder}' is a file; give a folder to write the report into, e.g. --report my-report.");
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any() || IsEarlierReport(folder))
            return;
        var example = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).First();
        throw new UsageException(
            $"--report '{folder}' already holds files that are not an mlnetdigits report (e.g. {example}); choose a new or empty folder, e.g. --report my-report.");
    }

    /// <summary>Writes the report of <paramref name="results"/> into <paramref name="folder"/>; returns the paths written.</summary>
    /// <exception cref="UsageException">The folder holds files that are not an earlier report (see <see cref="CheckFolder"/>).</exception>
    public static IReadOnlyList<string> Write(string folder, string title, IReadOnlyList<LearnerResult> results)
    {
        CheckFolder(folder);
        // The charts, mistakes and trained models of an earlier report in this folder (and any temporary file a killed
        // run left there) would otherwise linger beside the new ones.
        ClearFolder(Path.Combine(folder, ChartFolder), "*.svg");
        ClearFolder(Path.Combine(folder, GalleryFolder), "*.png");
        ClearFolder(Path.Combine(folder, ModelFolder), "*.zip");
        var written = new List<string>();
        var usedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var columns = results.Select(r => new Column(r, UniqueStem(r.Name, usedNames))).ToList();

        var charts = new ChartSet(
            Curves: [.. CurveTitles(results).Select(t => SaveChart(folder, $"curve-{Slug(t)}.svg", CurvesChart(t, results), written))],
            Confusion: [.. columns.Select(c => SaveChart(folder, $"{c.Stem}-confusion.svg", ConfusionChart(c.Result), written))],
            Reliability: [.. columns.Select(c => SaveChart(folder, $"{c.Stem}-reliability.svg", ReliabilityChart(c.Result), written))],
            PerClassF1: SharedClassNames(results) is { } names
                ? SaveChart(folder, "per-class-f1.svg", Charts.GroupedBars("Per-class F1", names,
                    [.. results.Select(r => new ChartSeries(r.Name, [.. r.Evaluation.PerClassF1]))], "F1"), written)
                : null);
        foreach (var column in columns)
            column.Gallery.AddRange(WriteGallery(folder, column, written));

        var html = Path.Combine(folder, "report.html");
        AtomicFile.WriteAllText(html, Html(title, columns, charts));
        written.Add(html);
        var markdown = Path.Combine(folder, "report.md");
        AtomicFile.WriteAllText(markdown, Markdown(title, columns, charts));
        written.Add(markdown);
        return written;
    }

    /// <summary>One model's column of the report: its result, the stem of its file names and its gallery.</summary>
    private sealed record Column(LearnerResult Result, string Stem)
    {
        public List<(string File, Misclassified Mistake)> Gallery { get; } = [];
    }

    /// <summary>The chart files (relative to the report folder) and what they show.</summary>
    private sealed record ChartSet(List<(string File, string Title)> Curves, List<(string File, string Title)> Confusion,
        List<(string File, string Title)> Reliability, (string File, string Title)? PerClassF1);

    private static bool IsEarlierReport(string folder)
    {
        var html = Path.Combine(folder, "report.html");
        if (!File.Exists(html))
            return false;
        var text = File.ReadAllText(html);
        // Reports written before the generator tag said so in their first paragraph.
        return text.Contains(GeneratorTag, StringComparison.Ordinal) || text.Contains("by <code>mlnetdigits</code>", StringComparison.Ordinal);
    }

    /// <summary>Deletes <paramref name="pattern"/> files and temporary files in <paramref name="folder"/> (this report's own folder).</summary>
    private static void ClearFolder(string folder, string pattern)
    {
        if (!Directory.Exists(folder))
            return;
        foreach (var file in Directory.GetFiles(folder, pattern).Concat(Directory.GetFiles(folder, ".*.tmp")))
            File.Delete(file);
    }

    private static (string File, string Title) SaveChart(string folder, string file, Chart chart, List<string> written)
    {
        var relative = $"{ChartFolder}/{file}";
        var path = Path.Combine(folder, ChartFolder, file);
        AtomicFile.WriteAllText(path, chart.ToSvg());
        written.Add(path);
        return (relative, chart.Title);
    }

    /// <summary>The curve titles ("Loss", "Accuracy") in the order the models first give them.</summary>
    private static List<string> CurveTitles(IReadOnlyList<LearnerResult> results) =>
        [.. results.SelectMany(r => r.Curves).Select(c => c.Title).Distinct(StringComparer.Ordinal)];

    /// <summary>Every model's curves titled <paramref name="title"/> in one chart, each line named "model: series" (validation dashed).</summary>
    private static Chart CurvesChart(string title, IReadOnlyList<LearnerResult> results)
    {
        var curves = results.SelectMany(r => r.Curves.Where(c => c.Title == title).Select(c => (r.Name, Curve: c))).ToList();
        var series = curves.SelectMany(c => c.Curve.Series.Select(s => new ChartSeries(results.Count > 1 ? $"{c.Name}: {s.Name}" : s.Name, [.. s.Points.Select(p => p.Y)])
        {
            X = [.. s.Points.Select(p => p.X)],
            Dashed = s.Name.StartsWith("validation", StringComparison.Ordinal),
        })).ToList();
        return Charts.TrainingCurves(title, series, curves[0].Curve.XLabel, curves[0].Curve.YLabel);
    }

    private static Chart ConfusionChart(LearnerResult r)
    {
        var counts = r.Metrics.ConfusionMatrix.Counts;
        var matrix = new int[counts.Count, counts.Count];
        for (int a = 0; a < counts.Count; a++)
            for (int p = 0; p < counts.Count; p++)
                matrix[a, p] = (int)counts[a][p];
        return Charts.ConfusionMatrix(matrix, r.Evaluation.ClassNames, $"{r.Name}: confusion matrix");
    }

    private static Chart ReliabilityChart(LearnerResult r)
    {
        var bins = r.Evaluation.Calibration.Bins;
        return Charts.ReliabilityDiagram([.. bins.Select(b => b.MeanConfidence)], [.. bins.Select(b => b.Accuracy)], [.. bins.Select(b => (int)b.Count)],
            $"{r.Name}: reliability");
    }

    /// <summary>The class names, when every model has the same ones (so their per-class figures can share a chart).</summary>
    private static IReadOnlyList<string>? SharedClassNames(IReadOnlyList<LearnerResult> results)
    {
        var first = results[0].Evaluation.ClassNames;
        return results.All(r => r.Evaluation.ClassNames.SequenceEqual(first)) ? first : null;
    }

    private static IEnumerable<(string File, Misclassified Mistake)> WriteGallery(string folder, Column column, List<string> written)
    {
        var r = column.Result;
        for (int i = 0; i < r.Misclassified.Count; i++)
        {
            var file = $"{GalleryFolder}/{column.Stem}-{i + 1:00}-row{r.Misclassified[i].Row}.png";
            var png = ImageCodec.EncodePng(GrayImage.FromBytes(r.ImageWidth * GalleryScale, r.ImageHeight * GalleryScale,
                Enlarge(r.Misclassified[i].Pixels, r.ImageWidth, r.ImageHeight, GalleryScale)));
            var path = Path.Combine(folder, file);
            AtomicFile.WriteAllBytes(path, png);
            written.Add(path);
            yield return (file, r.Misclassified[i]);
        }
    }

    private static string Html(string title, List<Column> columns, ChartSet charts)
    {
        var inv = CultureInfo.InvariantCulture;
        var results = columns.Select(c => c.Result).ToList();
        var side = $"<div class=\"side\" style=\"--n:{columns.Count}\">";
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n").Append(GeneratorTag).Append('\n');
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>").Append(E(title)).Append("</title>\n");
        h.Append("<style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}")
            .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}")
            .Append(".side{display:grid;grid-template-columns:repeat(var(--n),minmax(0,1fr));gap:16px;align-items:start}")
            .Append(".side>*{min-width:0}.side img,.wide img{max-width:100%;height:auto}")
            .Append("figure{display:inline-block;margin:6px;text-align:center;font-size:12px}")
            .Append(".gallery img{image-rendering:pixelated;border:1px solid #ccc}</style>\n</head>\n<body>\n");
        h.Append("<h1>").Append(E(title)).Append("</h1>\n");
        h.Append("<p>Test set: ").Append(E(results[0].Dataset)).Append(". Generated ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", inv)).Append(" by <code>mlnetdigits</code>.</p>\n");

        h.Append("<h2>Summary</h2>\n<table>\n<tr><th>metric</th>");
        foreach (var r in results)
            h.Append("<th>").Append(E(r.Name)).Append("</th>");
        h.Append("</tr>\n<tr><td>model</td>");
        foreach (var r in results)
            h.Append("<td>").Append(E(r.Description)).Append("</td>");
        h.Append("</tr>\n");
        foreach (var (name, values) in SummaryRows(results))
        {
            h.Append("<tr><td>").Append(E(name)).Append("</td>");
            foreach (var v in values)
                h.Append("<td>").Append(E(v)).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("<tr><td>model file</td>");
        foreach (var r in results)
            h.Append("<td>").Append(r.ModelPath is null ? "" : $"<code>{E(r.ModelPath)}</code>").Append("</td>");
        h.Append("</tr>\n</table>\n");
        foreach (var line in Comparison(results))
            h.Append("<p>").Append(E(line)).Append("</p>\n");

        h.Append("<h2>Training curves</h2>\n<ul>\n");
        foreach (var r in results.Where(r => r.CurvesNote is not null))
            h.Append("<li><b>").Append(E(r.Name)).Append("</b>: ").Append(E(r.CurvesNote!)).Append("</li>\n");
        h.Append("</ul>\n");
        if (charts.Curves.Count > 0)
            h.Append($"<div class=\"side\" style=\"--n:{Math.Min(2, charts.Curves.Count)}\">").Append(string.Concat(charts.Curves.Select(Img))).Append("</div>\n");

        h.Append("<h2>Confusion matrices</h2>\n<p>Rows are the actual classes, columns the predicted ones; each cell is shaded by its share of its row.</p>\n")
            .Append(side).Append(string.Concat(charts.Confusion.Select(Img))).Append("</div>\n");
        h.Append("<h2>Calibration</h2>\n<p>Accuracy against confidence in equal-width bins; a calibrated model follows the diagonal.</p>\n")
            .Append(side).Append(string.Concat(charts.Reliability.Select(Img))).Append("</div>\n");

        h.Append("<h2>Per-class metrics</h2>\n");
        if (charts.PerClassF1 is { } f1)
            h.Append("<div class=\"wide\">").Append(Img(f1)).Append("</div>\n");
        h.Append("<table>\n<tr><th rowspan=\"2\">class</th>");
        foreach (var measure in PerClassMeasures)
            h.Append($"<th colspan=\"{results.Count}\">").Append(E(measure)).Append("</th>");
        h.Append("<th rowspan=\"2\">test images</th></tr>\n<tr>");
        foreach (var _ in PerClassMeasures)
            foreach (var r in results)
                h.Append("<th>").Append(E(r.Name)).Append("</th>");
        h.Append("</tr>\n");
        foreach (var row in PerClassRows(results))
            h.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{E(c)}</td>"))).Append("</tr>\n");
        h.Append("</table>\n");

        h.Append("<h2>Most confident mistakes</h2>\n").Append(side);
        foreach (var column in columns)
        {
            var r = column.Result;
            h.Append("<div><h3>").Append(E(r.Name)).Append("</h3>\n<p>").Append(E(GalleryCaption(r, column.Gallery.Count))).Append("</p>\n<div class=\"gallery\">");
            foreach (var (file, m) in column.Gallery)
            {
                h.Append("<figure><img src=\"").Append(E(file)).Append("\" width=\"").Append(r.ImageWidth * GalleryScale)
                    .Append("\" height=\"").Append(r.ImageHeight * GalleryScale).Append("\" alt=\"").Append(E(MistakeCaption(r, m))).Append("\" title=\"")
                    .Append(E(TopProbabilities(r, m))).Append("\"><figcaption>").Append(E(MistakeCaption(r, m))).Append("</figcaption></figure>");
            }
            h.Append("</div></div>\n");
        }
        h.Append("</div>\n</body>\n</html>\n");
        return h.ToString();

        static string Img((string File, string Title) chart) => $"<img src=\"{E(chart.File)}\" alt=\"{E(chart.Title)}\">";
    }

    private static string Markdown(string title, List<Column> columns, ChartSet charts)
    {
        var inv = CultureInfo.InvariantCulture;
        var results = columns.Select(c => c.Result).ToList();
        var md = new StringBuilder();
        md.Append("# ").Append(title).Append("\n\n");
        md.Append("Test set: ").Append(results[0].Dataset).Append(". Generated ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", inv)).Append(" by `mlnetdigits`.\n\n## Summary\n\n");
        md.Append("| metric | ").Append(string.Join(" | ", results.Select(r => Md(r.Name)))).Append(" |\n");
        md.Append("|---|").Append(string.Concat(results.Select(_ => "---:|"))).Append('\n');
        md.Append("| model | ").Append(string.Join(" | ", results.Select(r => Md(r.Description)))).Append(" |\n");
        foreach (var (name, values) in SummaryRows(results))
            md.Append("| ").Append(name).Append(" | ").Append(string.Join(" | ", values.Select(Md))).Append(" |\n");
        md.Append("| model file | ").Append(string.Join(" | ", results.Select(r => r.ModelPath is null ? "" : $"`{r.ModelPath}`"))).Append(" |\n");
        foreach (var line in Comparison(results))
            md.Append('\n').Append(Md(line)).Append('\n');

        md.Append("\n## Training curves\n\n");
        foreach (var r in results.Where(r => r.CurvesNote is not null))
            md.Append("- **").Append(Md(r.Name)).Append("**: ").Append(Md(r.CurvesNote!)).Append('\n');
        if (charts.Curves.Count > 0)
            md.Append('\n').Append(SideBySide(charts.Curves.Select(c => c.Title), [charts.Curves.Select(Image)]));

        md.Append("\n## Confusion matrices\n\nRows are the actual classes, columns the predicted ones.\n\n")
            .Append(SideBySide(results.Select(r => r.Name), [charts.Confusion.Select(Image)]));
        md.Append("\n## Calibration\n\n").Append(SideBySide(results.Select(r => r.Name), [charts.Reliability.Select(Image)]));

        md.Append("\n## Per-class metrics\n\n");
        if (charts.PerClassF1 is { } f1)
            md.Append(Image(f1)).Append("\n\n");
        md.Append("| class | ").Append(string.Join(" | ", PerClassMeasures.SelectMany(m => results.Select(r => $"{m} ({Md(r.Name)})")))).Append(" | test images |\n");
        md.Append("|---|").Append(string.Concat(PerClassMeasures.SelectMany(_ => results).Select(_ => "---:|"))).Append("---:|\n");
        foreach (var row in PerClassRows(results))
            md.Append("| ").Append(string.Join(" | ", row.Select(Md))).Append(" |\n");

        md.Append("\n## Most confident mistakes\n\n");
        foreach (var c in columns)
            md.Append("- **").Append(Md(c.Result.Name)).Append("**: ").Append(Md(GalleryCaption(c.Result, c.Gallery.Count))).Append('\n');
        var rows = columns.Max(c => c.Gallery.Count);
        if (rows > 0)
        {
            md.Append('\n').Append(SideBySide(results.Select(r => r.Name), Enumerable.Range(0, rows).Select(i => columns.Select(c => i < c.Gallery.Count
                ? $"![row {c.Gallery[i].Mistake.Row}]({c.Gallery[i].File}) {Md(MistakeCaption(c.Result, c.Gallery[i].Mistake))}"
                : ""))));
        }
        return md.ToString();

        static string Image((string File, string Title) chart) => $"![{Md(chart.Title)}]({chart.File})";
    }

    /// <summary>A Markdown table with one column per heading: how GitHub and most viewers show images side by side.</summary>
    private static string SideBySide(IEnumerable<string> headings, IEnumerable<IEnumerable<string>> rows)
    {
        var names = headings.ToList();
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", names.Select(Md))).Append(" |\n|").Append(string.Concat(names.Select(_ => "---|"))).Append('\n');
        foreach (var row in rows)
            sb.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        return sb.ToString();
    }

    /// <summary>With two models, how the second compares with the first (fewer errors, time, latency, size).</summary>
    private static IEnumerable<string> Comparison(IReadOnlyList<LearnerResult> results)
    {
        if (results.Count != 2)
            yield break;
        if (ComparisonTable.Headline(results[0], results[1]) is { } headline)
            yield return headline;
        if (ComparisonTable.Ratios(results[0], results[1]) is { } ratios)
            yield return ratios;
    }

    /// <summary>The summary table's rows: a metric name and one formatted value per learner.</summary>
    public static List<(string Name, string[] Values)> SummaryRows(IReadOnlyList<LearnerResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        string[] Each(Func<LearnerResult, string> f) => [.. results.Select(f)];
        return
        [
            ("micro accuracy", Each(r => r.Metrics.MicroAccuracy.ToString("P2", inv))),
            ("macro accuracy", Each(r => r.Metrics.MacroAccuracy.ToString("P2", inv))),
            ("log-loss", Each(r => r.Metrics.LogLoss.ToString("0.0000", inv))),
            ("log-loss reduction", Each(r => double.IsFinite(r.Metrics.LogLossReduction) ? r.Metrics.LogLossReduction.ToString("0.0000", inv) : "n/a")),
            ("calibration error (ECE)", Each(r => r.Evaluation.Calibration.ExpectedCalibrationError.ToString("0.0000", inv))),
            ("macro F1", Each(r => r.Evaluation.MacroF1.ToString("0.0000", inv))),
            ("misclassified", Each(r => $"{r.MisclassifiedCount.ToString("N0", inv)} of {r.RowCount.ToString("N0", inv)}")),
            ("training time", Each(r => r.TrainSeconds is { } t ? Seconds(t) : "(loaded)")),
            ("single-image latency", Each(r => r.LatencyMicroseconds is { } l && double.IsFinite(l) ? Latency(l) : "n/a")),
            ("model size", Each(r => r.ModelBytes is { } b ? Bytes(b) : "n/a")),
        ];
    }

    /// <summary>"12.3 s" or "2 min 05 s".</summary>
    public static string Seconds(double seconds) => seconds < 120
        ? seconds.ToString("0.0 's'", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 60)} min {(int)(seconds % 60):00} s");

    /// <summary>"85 µs" or "1.23 ms".</summary>
    public static string Latency(double microseconds) => microseconds < 1000
        ? microseconds.ToString("0 'µs'", CultureInfo.InvariantCulture)
        : (microseconds / 1000).ToString("0.00 'ms'", CultureInfo.InvariantCulture);

    /// <summary>"31.4 KB" or "1.20 MB".</summary>
    public static string Bytes(long bytes) => bytes < 1_000_000
        ? (bytes / 1000.0).ToString("0.0 'KB'", CultureInfo.InvariantCulture)
        : (bytes / 1_000_000.0).ToString("0.00 'MB'", CultureInfo.InvariantCulture);

    private static readonly string[] PerClassMeasures = ["precision", "recall", "F1", "log-loss"];

    /// <summary>One row per class (of the first model): its name, each measure for each model, and the class's test images.</summary>
    private static IEnumerable<string[]> PerClassRows(IReadOnlyList<LearnerResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var first = results[0];
        for (int c = 0; c < first.Metrics.ConfusionMatrix.NumberOfClasses; c++)
        {
            var row = new List<string> { ClassName(first, c) };
            string Value(LearnerResult r, Func<LearnerResult, IReadOnlyList<double>> measure) =>
                c < measure(r).Count ? measure(r)[c].ToString("0.0000", inv) : "";
            row.AddRange(results.Select(r => Value(r, x => x.Metrics.ConfusionMatrix.PerClassPrecision)));
            row.AddRange(results.Select(r => Value(r, x => x.Metrics.ConfusionMatrix.PerClassRecall)));
            row.AddRange(results.Select(r => Value(r, x => x.Evaluation.PerClassF1)));
            row.AddRange(results.Select(r => Value(r, x => x.Metrics.PerClassLogLoss)));
            row.Add(first.Metrics.ConfusionMatrix.Counts[c].Sum().ToString("N0", inv));
            yield return [.. row];
        }
    }

    private static string GalleryCaption(LearnerResult r, int shown)
    {
        if (r.MisclassifiedCount == 0)
            return "No test image was misclassified.";
        var caption = string.Create(CultureInfo.InvariantCulture,
            $"{r.MisclassifiedCount:N0} test images were misclassified; the {shown} the model was most sure of are shown (true → predicted, probability of the prediction).");
        var flagged = r.Misclassified.Take(shown).Count(m => m.IsNotDigitLike);
        return flagged == 0 ? caption : caption + string.Create(CultureInfo.InvariantCulture,
            $" {flagged} of them the model's out-of-distribution score calls not digit-like, so the digit facade would answer \"not a digit\" instead of the wrong digit.");
    }

    /// <summary>"4 → 9 (99.96 %)", with ", not digit-like" when the model's out-of-distribution score flags the image.</summary>
    public static string MistakeCaption(LearnerResult r, Misclassified m) =>
        $"{ClassName(r, m.Actual)} → {ClassName(r, m.Predicted)} ({ConfidenceFormat.Percent(m.Confidence)}{(m.IsNotDigitLike ? ", not digit-like" : "")})";

    /// <summary>The top three classes with their probabilities, and the out-of-distribution score when the model has one.</summary>
    public static string TopProbabilities(LearnerResult r, Misclassified m) => string.Join(", ",
        m.Top.Take(3).Select(x => $"{ClassName(r, x.Class)}: {ConfidenceFormat.Percent(x.Probability)}")) +
        (m.NotADigitScore is { } ood ? string.Create(CultureInfo.InvariantCulture, $"; not-a-digit score {ood:F2}{(ood > 0 ? " (above 0: not digit-like)" : "")}") : "");

    private static string ClassName(LearnerResult r, int c)
    {
        var names = r.Evaluation.ClassNames;
        return c >= 0 && c < names.Count ? names[c] : c.ToString(CultureInfo.InvariantCulture);
    }

    private static byte[] Enlarge(float[] pixels, int width, int height, int scale)
    {
        var bytes = new byte[width * scale * height * scale];
        for (int y = 0; y < height * scale; y++)
            for (int x = 0; x < width * scale; x++)
                bytes[y * width * scale + x] = (byte)Math.Clamp(MathF.Round(pixels[(y / scale) * width + x / scale]), 0, 255);
        return bytes;
    }

    private static string UniqueStem(string name, HashSet<string> used)
    {
        var stem = Slug(name);
        var candidate = stem;
        for (int i = 2; !used.Add(candidate); i++)
            candidate = $"{stem}-{i}";
        return candidate;
    }

    private static string Slug(string text)
    {
        var slug = new string([.. text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal))
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        return slug.Length == 0 ? "model" : slug;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Md(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
