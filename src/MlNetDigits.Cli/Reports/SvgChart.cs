using System.Globalization;
using System.Text;

namespace MlNetDigits.Cli.Reports;

/// <summary>Draws the report's charts as standalone SVG documents: training curves as line charts and confusion matrices as heatmaps.</summary>
internal static class SvgChart
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

    /// <summary>A line chart of <paramref name="curve"/>: axes with ticks, one coloured line per series (dots when it has one point) and a legend.</summary>
    public static string Line(TrainingCurve curve)
    {
        const double width = 560, height = 320, left = 64, right = 16, top = 36, bottom = 44 + 18;
        var points = curve.Series.SelectMany(s => s.Points).ToList();
        double xMin = points.Count == 0 ? 0 : points.Min(p => p.X), xMax = points.Count == 0 ? 1 : points.Max(p => p.X);
        double yMin = points.Count == 0 ? 0 : points.Min(p => p.Y), yMax = points.Count == 0 ? 1 : points.Max(p => p.Y);
        if (xMin > 0 && xMin <= 1)
            xMin = 0;
        (xMin, xMax, var xStep) = NiceScale(xMin, xMax);
        (yMin, yMax, var yStep) = NiceScale(yMin, yMax);
        double plotW = width - left - right, plotH = height - top - bottom - 18 * Math.Ceiling(curve.Series.Count / 2.0);
        double X(double x) => left + (x - xMin) / (xMax - xMin) * plotW;
        double Y(double y) => top + (1 - (y - yMin) / (yMax - yMin)) * plotH;

        var svg = Begin(width, height, curve.Title);
        svg.Append(Text(width / 2, 22, curve.Title, 15, "middle", bold: true));
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left:0.#}\" y=\"{top:0.#}\" width=\"{plotW:0.#}\" height=\"{plotH:0.#}\" fill=\"none\" stroke=\"#999\"/>\n");
        for (double yv = yMin; yv <= yMax + yStep / 2; yv += yStep)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left:0.#}\" y1=\"{Y(yv):0.#}\" x2=\"{left + plotW:0.#}\" y2=\"{Y(yv):0.#}\" stroke=\"#eee\"/>\n");
            svg.Append(Text(left - 6, Y(yv) + 4, Tick(yv), 11, "end"));
        }
        for (double xv = xMin; xv <= xMax + xStep / 2; xv += xStep)
            svg.Append(Text(X(xv), top + plotH + 16, Tick(xv), 11, "middle"));
        svg.Append(Text(left + plotW / 2, top + plotH + 34, curve.XLabel, 12, "middle"));
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + plotH / 2:0.#}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {top + plotH / 2:0.#})\">{Escape(curve.YLabel)}</text>\n");

        for (int s = 0; s < curve.Series.Count; s++)
        {
            var series = curve.Series[s];
            var colour = Palette[s % Palette.Length];
            var coords = string.Join(' ', series.Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X):0.##},{Y(p.Y):0.##}")));
            if (series.Points.Count > 1)
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{coords}\"/>\n");
            if (series.Points.Count <= 30)
                foreach (var p in series.Points)
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.X):0.##}\" cy=\"{Y(p.Y):0.##}\" r=\"3\" fill=\"{colour}\"/>\n");
            double lx = left + (s % 2) * plotW / 2, ly = top + plotH + 52 + 18 * (s / 2);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx:0.#}\" y=\"{ly - 9:0.#}\" width=\"14\" height=\"4\" fill=\"{colour}\"/>\n");
            svg.Append(Text(lx + 20, ly - 3, series.Name, 11, "start"));
        }
        return End(svg);
    }

    /// <summary>
    /// The confusion matrix as a heatmap: rows are the actual classes, columns the predicted ones; each cell shows its count
    /// and is shaded by its share of its row (the diagonal blue, mistakes red).
    /// </summary>
    /// <param name="counts">The counts, as ML.NET's <c>ConfusionMatrix.Counts</c>. // (actual K, predicted K)</param>
    /// <param name="classNames">The K class names.</param>
    /// <param name="title">The chart's title.</param>
    public static string ConfusionHeatmap(IReadOnlyList<IReadOnlyList<double>> counts, IReadOnlyList<string> classNames, string title)
    {
        int k = counts.Count;
        if (classNames.Count != k || counts.Any(row => row.Count != k))
            throw new ArgumentException($"A confusion heatmap needs a {k} x {k} matrix and {k} class names; found rows of {string.Join("/", counts.Select(r => r.Count).Distinct())} and {classNames.Count} names.", nameof(classNames));
        double cell = k <= 10 ? 40 : Math.Max(14, 400.0 / k);
        double left = 60, top = 64, size = cell * k;
        double width = left + size + 20, height = top + size + 20;
        var svg = Begin(width, height, title);
        svg.Append(Text(width / 2, 20, title, 15, "middle", bold: true));
        svg.Append(Text(left + size / 2, 42, "predicted", 12, "middle"));
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + size / 2:0.#}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {top + size / 2:0.#})\">actual</text>\n");
        double fontSize = Math.Min(12, cell / 3);
        for (int c = 0; c < k; c++)
        {
            var name = Shorten(classNames[c]);
            svg.Append(Text(left + (c + 0.5) * cell, top - 6, name, fontSize, "middle"));
            svg.Append(Text(left - 6, top + (c + 0.5) * cell + fontSize / 3, name, fontSize, "end"));
        }
        for (int a = 0; a < k; a++)
        {
            double rowSum = counts[a].Sum();
            for (int p = 0; p < k; p++)
            {
                double count = counts[a][p];
                double share = rowSum > 0 ? count / rowSum : 0;
                // The diagonal shades from white to blue by recall; off-diagonal cells to red by their share (amplified, mistakes are rare).
                var fill = a == p ? Blend("#ffffff", "#1f5fbf", share) : Blend("#ffffff", "#d62728", Math.Min(1, share * 5));
                double x = left + p * cell, y = top + a * cell;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{cell:0.#}\" height=\"{cell:0.#}\" fill=\"{fill}\" stroke=\"#fff\"><title>actual {Escape(classNames[a])}, predicted {Escape(classNames[p])}: {count:0}</title></rect>\n");
                if (count > 0)
                {
                    var ink = a == p && share > 0.5 ? "#fff" : "#222";
                    svg.Append(Text(x + cell / 2, y + cell / 2 + fontSize / 3, count.ToString("0", CultureInfo.InvariantCulture), fontSize, "middle", ink));
                }
            }
        }
        return End(svg);
    }

    private static StringBuilder Begin(double width, double height, string title)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0.#}\" height=\"{height:0.#}\" viewBox=\"0 0 {width:0.#} {height:0.#}\" font-family=\"sans-serif\">\n");
        svg.Append("<title>").Append(Escape(title)).Append("</title>\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        return svg;
    }

    private static string End(StringBuilder svg) => svg.Append("</svg>\n").ToString();

    private static string Text(double x, double y, string text, double size, string anchor, string fill = "#222", bool bold = false) =>
        string.Create(CultureInfo.InvariantCulture,
            $"<text x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"{size:0.#}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{(bold ? " font-weight=\"bold\"" : "")}>{Escape(text)}</text>\n");

    /// <summary>Escapes text for XML content and attribute values.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    private static string Shorten(string name) => name.Length <= 6 ? name : name[..5] + "…";

    /// <summary>An axis range covering [lo, hi] in 3 to 8 steps of 1, 2, 2.5 or 5 times a power of ten.</summary>
    private static (double Min, double Max, double Step) NiceScale(double lo, double hi)
    {
        if (hi - lo < 1e-12)
            (lo, hi) = (lo - 0.5, hi + 0.5);
        var rough = (hi - lo) / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= rough);
        return (Math.Floor(lo / step + 1e-9) * step, Math.Ceiling(hi / step - 1e-9) * step, step);
    }

    private static string Tick(double v) => Math.Abs(v) < 1e-12 ? "0" : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Blend(string from, string to, double t)
    {
        t = Math.Clamp(t, 0, 1);
        int Channel(string hex, int i) => Convert.ToInt32(hex.Substring(1 + 2 * i, 2), 16);
        var sb = new StringBuilder("#");
        for (int i = 0; i < 3; i++)
            sb.Append(((int)Math.Round(Channel(from, i) + (Channel(to, i) - Channel(from, i)) * t)).ToString("x2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
