using System.Globalization;
using ScottPlot;

namespace MlNetDigits;

/// <summary>
/// The project's charts, drawn by ScottPlot for notebooks, the CLI's HTML reports and the web app alike. Inputs are
/// plain numbers and labels; bad input (lengths that do not match, nothing to draw, NaN or infinity) throws an
/// <see cref="ArgumentException"/> saying what was expected and what was found.
/// </summary>
public static partial class Charts
{
    /// <summary>The font every chart asks for: Debian's fonts-dejavu-core provides it (text is measured with it).</summary>
    public const string FontName = "DejaVu Sans";

    private const int DefaultWidth = 640;
    private const int DefaultHeight = 400;

    // Without any font Skia draws every text as nothing, silently: say so instead of returning charts without labels.
    private static readonly Lazy<bool> FontsInstalled = new(() => SkiaSharp.SKFontManager.Default.FontFamilyCount > 0);

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        if (!FontsInstalled.Value)
            throw new InvalidOperationException(
                "No font is installed, so the chart would have no title, labels or numbers (SkiaSharp found no font " +
                $"through fontconfig). Install {FontName}: apt-get install fonts-dejavu-core (scripts/setup does).");
        var plot = new Plot();
        plot.Font.Set(FontName);
        if (!string.IsNullOrEmpty(title))
            plot.Title(title);
        if (!string.IsNullOrEmpty(xLabel))
            plot.XLabel(xLabel);
        if (!string.IsNullOrEmpty(yLabel))
            plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>Labels for categories at x = 0, 1, 2, … on the bottom axis.</summary>
    private static void CategoryTicks(Plot plot, IReadOnlyList<string> labels)
    {
        double[] positions = [.. Enumerable.Range(0, labels.Count).Select(i => (double)i)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, [.. labels]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
    }

    private static Bar[] BarArray(IEnumerable<Bar> bars) => [.. bars];

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static void RequireLabels(IReadOnlyList<string> labels, string parameter)
    {
        ArgumentNullException.ThrowIfNull(labels, parameter);
        if (labels.Count == 0)
            throw new ArgumentException("Expected at least one label; found none.", parameter);
        if (labels.Any(l => l is null))
            throw new ArgumentException("Expected a text for every label; found null.", parameter);
    }

    private static void RequireFinite(IReadOnlyList<double> values, string what, string parameter)
    {
        ArgumentNullException.ThrowIfNull(values, parameter);
        if (values.Count == 0)
            throw new ArgumentException($"{what} is empty: expected at least one value.", parameter);
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException(
                    $"{what} has {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}: expected finite numbers " +
                    "(drop or replace missing values before charting).", parameter);
    }

    private static void RequireCount(int expected, int found, string what, string parameter)
    {
        if (expected != found)
            throw new ArgumentException($"{what}: expected {expected} values (one per label), found {found}.", parameter);
    }
}
