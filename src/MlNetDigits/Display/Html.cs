using System.Globalization;
using System.Net;

namespace MlNetDigits.Display;

/// <summary>Small helpers shared by the renderers: escaping, invariant numbers, colours and table styles.</summary>
internal static class Html
{
    public const string TableStyle = "border-collapse:collapse;font-family:monospace;font-size:12px";
    public const string CellStyle = "border:1px solid #ccc;padding:2px 6px;text-align:right";
    public const string HeaderStyle = "border:1px solid #ccc;padding:2px 6px;background:#f0f0f0;text-align:center";

    /// <summary>Colours for series and bars (Tableau 10).</summary>
    public static readonly string[] Palette =
        ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A number for SVG coordinates: invariant, at most two decimals.</summary>
    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A metric or statistic for a table: integers as they are, other values with four decimals.</summary>
    public static string Number(double value) =>
        double.IsFinite(value) && value == Math.Round(value) && Math.Abs(value) < 1e15
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>A colour between white (t = 0) and <paramref name="r"/>,<paramref name="g"/>,<paramref name="b"/> (t = 1).</summary>
    public static string Blend(double t, int r, int g, int b)
    {
        t = double.IsFinite(t) ? Math.Clamp(t, 0, 1) : 0;
        int Mix(int c) => (int)Math.Round(255 + (c - 255) * t);
        return $"#{Mix(r):x2}{Mix(g):x2}{Mix(b):x2}";
    }

    /// <summary>A cell value as HTML: nested HTML content as it is, numbers invariant, anything else escaped text.</summary>
    public static string Cell(object? value) => value switch
    {
        null => "",
        IHtmlContent html => html.ToHtml(),
        double d => Number(d),
        float f => Number(f),
        IFormattable f => Encode(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Encode(value.ToString()),
    };

    /// <summary>Nice tick values covering [min, max]: about <paramref name="count"/> steps of 1, 2 or 5 times a power of ten.</summary>
    public static double[] Ticks(double min, double max, int count = 5)
    {
        if (!(max > min))
            return [min];
        var raw = (max - min) / count;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var first = Math.Ceiling(min / step - 1e-9) * step;
        var ticks = new List<double>();
        for (var t = first; t <= max + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return [.. ticks];
    }

    /// <summary>A tick label: as few decimals as the step needs.</summary>
    public static string TickLabel(double value, double step)
    {
        var decimals = step >= 1 ? 0 : Math.Min(6, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
