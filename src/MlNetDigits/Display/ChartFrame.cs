using System.Text;

namespace MlNetDigits.Display;

/// <summary>The plot area, axes, ticks and labels an SVG chart draws its marks into.</summary>
internal sealed class ChartFrame
{
    public const int Left = 56, Right = 16, Top = 28, Bottom = 44;

    public ChartFrame(int width, int height, double xMin, double xMax, double yMin, double yMax)
    {
        Width = width;
        Height = height;
        (XMin, XMax) = xMax > xMin ? (xMin, xMax) : (xMin - 0.5, xMin + 0.5);
        (YMin, YMax) = yMax > yMin ? (yMin, yMax) : (yMin - 0.5, yMin + 0.5);
    }

    public int Width { get; }
    public int Height { get; }
    public double XMin { get; }
    public double XMax { get; }
    public double YMin { get; }
    public double YMax { get; }

    public double PlotWidth => Width - Left - Right;
    public double PlotHeight => Height - Top - Bottom;

    public double X(double x) => Left + (x - XMin) / (XMax - XMin) * PlotWidth;

    public double Y(double y) => Top + (1 - (y - YMin) / (YMax - YMin)) * PlotHeight;

    /// <summary>Opens the SVG and draws the title, the frame, the y axis grid and both axis labels.</summary>
    public void Begin(StringBuilder svg, string? title, string? xLabel, string? yLabel)
    {
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append($"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        if (title is not null)
            svg.Append($"<text x=\"{Html.N(Width / 2.0)}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{Html.Encode(title)}</text>");
        var ticks = Html.Ticks(YMin, YMax);
        var step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        foreach (var t in ticks)
        {
            var y = Html.N(Y(t));
            svg.Append($"<line x1=\"{Left}\" y1=\"{y}\" x2=\"{Html.N(Left + PlotWidth)}\" y2=\"{y}\" stroke=\"#e5e5e5\"/>");
            svg.Append($"<text x=\"{Left - 4}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Html.TickLabel(t, step)}</text>");
        }
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Html.N(PlotWidth)}\" height=\"{Html.N(PlotHeight)}\" fill=\"none\" stroke=\"#888\"/>");
        if (xLabel is not null)
            svg.Append($"<text x=\"{Html.N(Left + PlotWidth / 2)}\" y=\"{Height - 6}\" text-anchor=\"middle\">{Html.Encode(xLabel)}</text>");
        if (yLabel is not null)
            svg.Append($"<text x=\"12\" y=\"{Html.N(Top + PlotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {Html.N(Top + PlotHeight / 2)})\">{Html.Encode(yLabel)}</text>");
    }

    /// <summary>Numeric ticks along the x axis.</summary>
    public void NumericXAxis(StringBuilder svg)
    {
        var ticks = Html.Ticks(XMin, XMax);
        var step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        var bottom = Html.N(Top + PlotHeight);
        foreach (var t in ticks)
        {
            var x = Html.N(X(t));
            svg.Append($"<line x1=\"{x}\" y1=\"{bottom}\" x2=\"{x}\" y2=\"{Html.N(Top + PlotHeight + 4)}\" stroke=\"#888\"/>");
            svg.Append($"<text x=\"{x}\" y=\"{Html.N(Top + PlotHeight + 16)}\" text-anchor=\"middle\">{Html.TickLabel(t, step)}</text>");
        }
    }
}
