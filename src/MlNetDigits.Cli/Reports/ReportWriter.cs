using System.Globalization;
using System.Net;
using System.Text;

namespace MlNetDigits.Cli.Reports;

/// <summary>
/// Writes a report folder for one or more models: report.html and report.md, one SVG per training curve and confusion
/// matrix, and the most confident mistakes as PNG images under misclassified/. Every file is written atomically and the
/// documents reference only files written here. Every chart is drawn in <see cref="Write"/> (through <see cref="SvgChart"/>),
/// so replacing the charting library touches that method alone.
/// </summary>
internal static class ReportWriter
{
    /// <summary>How many times the gallery images are enlarged (nearest neighbour), so a 28 x 28 digit is readable.</summary>
    public const int GalleryScale = 3;

    /// <summary>Writes the report of <paramref name="results"/> into <paramref name="folder"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string folder, string title, IReadOnlyList<LearnerResult> results)
    {
        Directory.CreateDirectory(folder);
        // Gallery images of an earlier report in this folder would otherwise linger beside the new ones.
        var galleryFolder = Path.Combine(folder, "misclassified");
        if (Directory.Exists(galleryFolder))
            foreach (var old in Directory.GetFiles(galleryFolder, "*-row*.png"))
                File.Delete(old);
        var written = new List<string>();
        var sections = new List<Section>();
        var usedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in results)
        {
            var stem = UniqueStem(result.Name, usedNames);
            var curves = new List<(string File, TrainingCurve Curve)>();
            for (int i = 0; i < result.Curves.Count; i++)
            {
                var file = $"{stem}-curve-{Slug(result.Curves[i].Title)}.svg";
                Save(folder, file, SvgChart.Line(result.Curves[i]), written);
                curves.Add((file, result.Curves[i]));
            }
            var confusion = $"{stem}-confusion.svg";
            Save(folder, confusion, SvgChart.ConfusionHeatmap(result.Metrics.ConfusionMatrix.Counts, result.Evaluation.ClassNames, $"{result.Name}: confusion matrix"), written);
            var gallery = new List<(string File, Misclassified Mistake)>();
            for (int i = 0; i < result.Misclassified.Count; i++)
            {
                var file = $"misclassified/{stem}-{i + 1:00}-row{result.Misclassified[i].Row}.png";
                var png = ImageCodec.EncodePng(GrayImage.FromBytes(result.ImageWidth * GalleryScale, result.ImageHeight * GalleryScale,
                    Enlarge(result.Misclassified[i].Pixels, result.ImageWidth, result.ImageHeight, GalleryScale)));
                var path = Path.Combine(folder, file);
                AtomicFile.WriteAllBytes(path, png);
                written.Add(path);
                gallery.Add((file, result.Misclassified[i]));
            }
            sections.Add(new Section(result, curves, confusion, gallery));
        }
        var html = Path.Combine(folder, "report.html");
        AtomicFile.WriteAllText(html, Html(title, sections));
        written.Add(html);
        var markdown = Path.Combine(folder, "report.md");
        AtomicFile.WriteAllText(markdown, Markdown(title, sections));
        written.Add(markdown);
        return written;
    }

    private sealed record Section(LearnerResult Result, List<(string File, TrainingCurve Curve)> Curves, string Confusion, List<(string File, Misclassified Mistake)> Gallery);

    private static string Html(string title, List<Section> sections)
    {
        var inv = CultureInfo.InvariantCulture;
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n");
        h.Append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}")
            .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}figure{display:inline-block;margin:6px;text-align:center;font-size:12px}")
            .Append("figure img{image-rendering:pixelated;border:1px solid #ccc}.charts img{margin:6px;max-width:100%}</style>\n</head>\n<body>\n");
        h.Append("<h1>").Append(E(title)).Append("</h1>\n");
        h.Append("<p>Test set: ").Append(E(sections.Count > 0 ? sections[0].Result.Dataset : "")).Append(". Generated ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", inv)).Append(" by <code>mlnetdigits</code>.</p>\n");
        h.Append("<h2>Summary</h2>\n<table>\n<tr><th>metric</th>");
        foreach (var s in sections)
            h.Append("<th>").Append(E(s.Result.Name)).Append("</th>");
        h.Append("</tr>\n");
        foreach (var (name, values) in SummaryRows(sections.Select(s => s.Result).ToList()))
        {
            h.Append("<tr><td>").Append(E(name)).Append("</td>");
            foreach (var v in values)
                h.Append("<td>").Append(E(v)).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("</table>\n");

        foreach (var s in sections)
        {
            var r = s.Result;
            h.Append("<h2>").Append(E(r.Name)).Append(": ").Append(E(r.Description)).Append("</h2>\n");
            if (r.ModelPath is not null)
                h.Append("<p>Model file: <code>").Append(E(r.ModelPath)).Append("</code></p>\n");
            h.Append("<h3>Training curves</h3>\n");
            if (r.CurvesNote is not null)
                h.Append("<p>").Append(E(r.CurvesNote)).Append("</p>\n");
            if (s.Curves.Count > 0)
            {
                h.Append("<div class=\"charts\">");
                foreach (var (file, curve) in s.Curves)
                    h.Append("<img src=\"").Append(E(file)).Append("\" alt=\"").Append(E(curve.Title)).Append("\">");
                h.Append("</div>\n");
            }
            h.Append("<h3>Confusion matrix</h3>\n<p><img src=\"").Append(E(s.Confusion)).Append("\" alt=\"confusion matrix of ").Append(E(r.Name)).Append("\"></p>\n");
            h.Append("<h3>Per-class metrics</h3>\n<table>\n<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>log-loss</th><th>test images</th></tr>\n");
            foreach (var row in PerClassRows(r))
                h.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{E(c)}</td>"))).Append("</tr>\n");
            h.Append("</table>\n");
            h.Append("<h3>Most confident mistakes</h3>\n");
            h.Append("<p>").Append(E(GalleryCaption(r, s.Gallery.Count))).Append("</p>\n<div>");
            foreach (var (file, m) in s.Gallery)
            {
                h.Append("<figure><img src=\"").Append(E(file)).Append("\" width=\"").Append(r.ImageWidth * GalleryScale)
                    .Append("\" height=\"").Append(r.ImageHeight * GalleryScale).Append("\" alt=\"").Append(E(MistakeCaption(r, m))).Append("\" title=\"")
                    .Append(E(TopProbabilities(r, m))).Append("\"><figcaption>").Append(E(MistakeCaption(r, m))).Append("</figcaption></figure>");
            }
            h.Append("</div>\n");
        }
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    private static string Markdown(string title, List<Section> sections)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append("# ").Append(title).Append("\n\n");
        md.Append("Test set: ").Append(sections.Count > 0 ? sections[0].Result.Dataset : "").Append(". Generated ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", inv)).Append(" by `mlnetdigits`.\n\n## Summary\n\n");
        md.Append("| metric | ").Append(string.Join(" | ", sections.Select(s => Md(s.Result.Name)))).Append(" |\n");
        md.Append("|---|").Append(string.Concat(sections.Select(_ => "---:|"))).Append('\n');
        foreach (var (name, values) in SummaryRows(sections.Select(s => s.Result).ToList()))
            md.Append("| ").Append(name).Append(" | ").Append(string.Join(" | ", values.Select(Md))).Append(" |\n");
        foreach (var s in sections)
        {
            var r = s.Result;
            md.Append("\n## ").Append(Md(r.Name)).Append(": ").Append(Md(r.Description)).Append("\n\n");
            if (r.ModelPath is not null)
                md.Append("Model file: `").Append(r.ModelPath).Append("`\n\n");
            md.Append("### Training curves\n\n");
            if (r.CurvesNote is not null)
                md.Append(Md(r.CurvesNote)).Append("\n\n");
            foreach (var (file, curve) in s.Curves)
                md.Append("![").Append(Md(curve.Title)).Append("](").Append(file).Append(")\n");
            md.Append("\n### Confusion matrix\n\n![confusion matrix of ").Append(Md(r.Name)).Append("](").Append(s.Confusion).Append(")\n\n");
            md.Append("### Per-class metrics\n\n| class | precision | recall | F1 | log-loss | test images |\n|---|---:|---:|---:|---:|---:|\n");
            foreach (var row in PerClassRows(r))
                md.Append("| ").Append(string.Join(" | ", row.Select(Md))).Append(" |\n");
            md.Append("\n### Most confident mistakes\n\n").Append(Md(GalleryCaption(r, s.Gallery.Count))).Append("\n\n");
            if (s.Gallery.Count > 0)
            {
                md.Append("| image | true | predicted | probability | top 3 |\n|---|---|---|---:|---|\n");
                foreach (var (file, m) in s.Gallery)
                {
                    md.Append("| ![row ").Append(m.Row).Append("](").Append(file).Append(") | ").Append(Md(ClassName(r, m.Actual))).Append(" | ")
                        .Append(Md(ClassName(r, m.Predicted))).Append(" | ").Append(m.Confidence.ToString("P1", inv)).Append(" | ")
                        .Append(Md(TopProbabilities(r, m))).Append(" |\n");
                }
            }
        }
        return md.ToString();
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

    private static IEnumerable<string[]> PerClassRows(LearnerResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var cm = r.Metrics.ConfusionMatrix;
        for (int c = 0; c < cm.NumberOfClasses; c++)
        {
            yield return [ClassName(r, c), cm.PerClassPrecision[c].ToString("0.0000", inv), cm.PerClassRecall[c].ToString("0.0000", inv),
                r.Evaluation.PerClassF1[c].ToString("0.0000", inv), r.Metrics.PerClassLogLoss[c].ToString("0.0000", inv), cm.Counts[c].Sum().ToString("N0", inv)];
        }
    }

    private static string GalleryCaption(LearnerResult r, int shown) => r.MisclassifiedCount == 0
        ? "No test image was misclassified."
        : string.Create(CultureInfo.InvariantCulture,
            $"{r.MisclassifiedCount:N0} test images were misclassified; the {shown} the model was most sure of are shown (true → predicted, probability of the prediction).");

    private static string MistakeCaption(LearnerResult r, Misclassified m) =>
        string.Create(CultureInfo.InvariantCulture, $"{ClassName(r, m.Actual)} → {ClassName(r, m.Predicted)} ({m.Confidence:P1})");

    private static string TopProbabilities(LearnerResult r, Misclassified m) => string.Join(", ",
        m.Top.Take(3).Select(x => string.Create(CultureInfo.InvariantCulture, $"{ClassName(r, x.Class)}: {x.Probability:P1}")));

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

    private static void Save(string folder, string file, string text, List<string> written)
    {
        var path = Path.Combine(folder, file);
        AtomicFile.WriteAllText(path, text);
        written.Add(path);
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
