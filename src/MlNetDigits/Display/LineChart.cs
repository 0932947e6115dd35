using System.Text;

namespace MlNetDigits.Display;

/// <summary>
/// A line chart as inline SVG: one or more named series of (x, y) points (training curves, a calibration plot), with
/// axes, a grid and a legend.
/// </summary>
[TypeFormatterSource(typeof(DisplayFormatterSource))]
public sealed class LineChart : IHtmlContent
{
    private readonly List<Series> _series = [];

    public LineChart(string? title = null, string? xLabel = null, string? yLabel = null)
    {
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
    }

    public string? Title { get; set; }
    public string? XLabel { get; set; }
    public string? YLabel { get; set; }
    public int Width { get; set; } = 520;
    public int Height { get; set; } = 300;

    /// <summary>Fixed y range; null fits the data.</summary>
    public (double Min, double Max)? YRange { get; set; }

    /// <summary>Fixed x range; null fits the data.</summary>
    public (double Min, double Max)? XRange { get; set; }

    /// <summary>The series, in drawing order.</summary>
    public IReadOnlyList<Series> AllSeries => _series;

    /// <summary>Adds a series of points (x[i], y[i]); non-finite points are left out of the line.</summary>
    public LineChart Add(string name, IEnumerable<double> x, IEnumerable<double> y, bool dashed = false, bool markers = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        var xs = x.ToArray();
        var ys = y.ToArray();
        if (xs.Length != ys.Length)
            throw new ArgumentException($"Series '{name}' has {xs.Length} x values but {ys.Length} y values; give one x per y.", nameof(y));
        _series.Add(new Series(name, [.. xs.Zip(ys)], dashed, markers));
        return this;
    }

    /// <summary>Adds a series whose x values are 1, 2, 3... (epochs).</summary>
    public LineChart Add(string name, IEnumerable<double> y, bool dashed = false, bool markers = false)
    {
        var ys = y.ToArray();
        return Add(name, Enumerable.Range(1, ys.Length).Select(i => (double)i), ys, dashed, markers);
    }

    /// <summary>The chart as a standalone SVG document.</summary>
    public string ToSvg()
    {
        var points = _series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
        var (xMin, xMax) = XRange ?? (points.Length == 0 ? (0, 1) : (points.Min(p => p.X), points.Max(p => p.X)));
        var (yMin, yMax) = YRange ?? (points.Length == 0 ? (0, 1) : (points.Min(p => p.Y), points.Max(p => p.Y)));
        if (YRange is null && yMax > yMin)
        {
            var pad = (yMax - yMin) * 0.05;
            (yMin, yMax) = (yMin - pad, yMax + pad);
        }
        var frame = new ChartFrame(Width, Height, xMin, xMax, yMin, yMax);
        var svg = new StringBuilder();
        frame.Begin(svg, Title, XLabel, YLabel);
        frame.NumericXAxis(svg);
        for (int i = 0; i < _series.Count; i++)
        {
            var s = _series[i];
            var colour = Html.Palette[i % Html.Palette.Length];
            var finite = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
            if (finite.Length > 0)
            {
                var path = string.Join(" ", finite.Select(p => $"{Html.N(frame.X(p.X))},{Html.N(frame.Y(p.Y))}"));
                var dash = s.Dashed ? " stroke-dasharray=\"5,4\"" : "";
                svg.Append($"<polyline points=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>");
                if (s.Markers || finite.Length == 1)
                    foreach (var p in finite)
                        svg.Append($"<circle cx=\"{Html.N(frame.X(p.X))}\" cy=\"{Html.N(frame.Y(p.Y))}\" r=\"3\" fill=\"{colour}\"/>");
            }
            // Legend: top right, one line per series.
            var ly = ChartFrame.Top + 12 + i * 14;
            var lx = ChartFrame.Left + frame.PlotWidth - 130;
            svg.Append($"<line x1=\"{Html.N(lx)}\" y1=\"{ly}\" x2=\"{Html.N(lx + 18)}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"5,4\"" : "")}/>");
            svg.Append($"<text x=\"{Html.N(lx + 22)}\" y=\"{ly}\" dominant-baseline=\"middle\">{Html.Encode(s.Name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    public string ToHtml() => $"<div>{ToSvg()}</div>";

    public override string ToString() =>
        $"LineChart{(Title is null ? "" : $" '{Title}'")}: " + string.Join("; ", _series.Select(s =>
            $"{s.Name} ({s.Points.Count} points{(s.Points.Count > 0 ? $", last {Html.Number(s.Points[^1].Y)}" : "")})"));

    /// <summary>A named line.</summary>
    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed, bool Markers);
}
