using System.Text;

namespace MlNetDigits.Display;

/// <summary>A bar chart as inline SVG: one bar per label (class counts, per-class accuracy), its value written above it.</summary>
[TypeFormatterSource(typeof(DisplayFormatterSource))]
public sealed class BarChart : IHtmlContent
{
    public BarChart(IEnumerable<string> labels, IEnumerable<double> values, string? title = null, string? xLabel = null, string? yLabel = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(values);
        Labels = [.. labels];
        Values = [.. values];
        if (Labels.Count != Values.Count)
            throw new ArgumentException($"There are {Labels.Count} labels but {Values.Count} values; give one value per bar.", nameof(values));
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
    }

    public IReadOnlyList<string> Labels { get; }
    public IReadOnlyList<double> Values { get; }
    public string? Title { get; set; }
    public string? XLabel { get; set; }
    public string? YLabel { get; set; }
    public int Width { get; set; } = 520;
    public int Height { get; set; } = 260;

    /// <summary>Fixed y range; null runs from 0 (or the least value, when negative) to the greatest.</summary>
    public (double Min, double Max)? YRange { get; set; }

    /// <summary>The chart as a standalone SVG document.</summary>
    public string ToSvg()
    {
        var finite = Values.Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var (yMin, yMax) = YRange ?? (Math.Min(0, finite.Min()), Math.Max(0, finite.Max()) * 1.1);
        var frame = new ChartFrame(Width, Height, 0, Math.Max(1, Values.Count), yMin, yMax);
        var svg = new StringBuilder();
        frame.Begin(svg, Title, XLabel, YLabel);
        var slot = frame.PlotWidth / Math.Max(1, Values.Count);
        var zero = frame.Y(Math.Clamp(0, frame.YMin, frame.YMax));
        for (int i = 0; i < Values.Count; i++)
        {
            var v = double.IsFinite(Values[i]) ? Math.Clamp(Values[i], frame.YMin, frame.YMax) : 0;
            var x = ChartFrame.Left + i * slot + slot * 0.15;
            var top = Math.Min(frame.Y(v), zero);
            var height = Math.Abs(frame.Y(v) - zero);
            svg.Append($"<rect x=\"{Html.N(x)}\" y=\"{Html.N(top)}\" width=\"{Html.N(slot * 0.7)}\" height=\"{Html.N(height)}\" fill=\"{Html.Palette[0]}\"><title>{Html.Encode(Labels[i])}: {Html.Number(Values[i])}</title></rect>");
            // Values are written above the bars when there is room, otherwise only above the tallest.
            if (slot >= 36 || Values[i] == finite.Max())
                svg.Append($"<text x=\"{Html.N(x + slot * 0.35)}\" y=\"{Html.N(top - 3)}\" text-anchor=\"middle\" font-size=\"9\">{Html.Number(Values[i])}</text>");
            svg.Append($"<text x=\"{Html.N(x + slot * 0.35)}\" y=\"{Html.N(ChartFrame.Top + frame.PlotHeight + 14)}\" text-anchor=\"middle\">{Html.Encode(Labels[i])}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    public string ToHtml() => $"<div>{ToSvg()}</div>";

    public override string ToString() =>
        $"BarChart{(Title is null ? "" : $" '{Title}'")}: " + string.Join(", ", Labels.Zip(Values, (l, v) => $"{l}={Html.Number(v)}"));
}
