using ScottPlot;

namespace MlNetDigits;

public static partial class Charts
{
    /// <summary>
    /// Training curves: one line per series against x (1, 2, 3, … — epochs — unless the series gives its own), with a
    /// legend; series on <paramref name="rightAxis"/> (e.g. accuracy next to loss) use a second y axis on the right.
    /// </summary>
    public static Chart TrainingCurves(
        string title,
        IReadOnlyList<ChartSeries> series,
        string xLabel = "epoch",
        string yLabel = "",
        IReadOnlyList<ChartSeries>? rightAxis = null,
        string rightYLabel = "")
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
            throw new ArgumentException("Expected at least one series to draw; found none.", nameof(series));
        rightAxis ??= [];
        var plot = NewPlot(title, xLabel, yLabel);
        foreach (var (line, onRight) in series.Select(s => (s, false)).Concat(rightAxis.Select(s => (s, true))))
        {
            var (xs, ys) = Points(line, onRight ? nameof(rightAxis) : nameof(series));
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = ys.Length <= 40 ? 5 : 0;
            if (line.Dashed)
                scatter.LinePattern = LinePattern.Dashed;
            if (onRight)
                scatter.Axes.YAxis = plot.Axes.Right;
        }
        if (rightAxis.Count > 0 && !string.IsNullOrEmpty(rightYLabel))
            plot.Axes.Right.Label.Text = rightYLabel;
        plot.ShowLegend(Edge.Bottom); // below the axes, where it hides no point
        return new Chart(plot, title ?? "", DefaultWidth, DefaultHeight);
    }

    private static (double[] X, double[] Y) Points(ChartSeries series, string parameter)
    {
        if (series is null)
            throw new ArgumentException("Expected a series; found null.", parameter);
        if (series.Name is null)
            throw new ArgumentException("Expected a name for every series; found null.", parameter);
        RequireFinite(series.Values, $"Series '{series.Name}'", parameter);
        double[] ys = [.. series.Values];
        if (series.X is null)
            return ([.. Enumerable.Range(1, ys.Length).Select(i => (double)i)], ys);
        if (series.X.Count != ys.Length)
            throw new ArgumentException(
                $"Series '{series.Name}' has {series.X.Count} x values for {ys.Length} values: expected one x per value.", parameter);
        RequireFinite(series.X, $"The x of series '{series.Name}'", parameter);
        return ([.. series.X], ys);
    }
}
