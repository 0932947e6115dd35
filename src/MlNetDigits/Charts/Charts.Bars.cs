using ScottPlot;

namespace MlNetDigits;

public static partial class Charts
{
    /// <summary>
    /// One bar per label with its value written on top: class balance (counts per class), or a probability
    /// distribution over classes.
    /// </summary>
    public static Chart Bars(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string yLabel = "")
    {
        RequireLabels(labels, nameof(labels));
        RequireFinite(values, "The values", nameof(values));
        RequireCount(labels.Count, values.Count, "The values", nameof(values));

        var plot = NewPlot(title, "", yLabel);
        var bars = plot.Add.Bars(BarArray(values.Select((value, i) => new Bar
        {
            Position = i,
            Value = value,
            Size = 0.8,
            Label = Number(value),
            FillColor = plot.Add.Palette.GetColor(0),
        })));
        bars.ValueLabelStyle.FontSize = labels.Count <= 12 ? 11 : 8;
        CategoryTicks(plot, labels);
        plot.Axes.Margins(bottom: 0);
        return new Chart(plot, title ?? "", DefaultWidth, DefaultHeight);
    }

    /// <summary>
    /// Grouped bars: for each label, one bar per series side by side, with a legend — per-class precision, recall and
    /// F1, say. Every series gives one value per label.
    /// </summary>
    public static Chart GroupedBars(string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, string yLabel = "")
    {
        RequireLabels(labels, nameof(labels));
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
            throw new ArgumentException("Expected at least one series of bars; found none.", nameof(series));

        var plot = NewPlot(title, "", yLabel);
        double width = 0.8 / series.Count;
        for (int s = 0; s < series.Count; s++)
        {
            var group = series[s] ?? throw new ArgumentException("Expected a series; found null.", nameof(series));
            RequireFinite(group.Values, $"Series '{group.Name}'", nameof(series));
            RequireCount(labels.Count, group.Values.Count, $"Series '{group.Name}'", nameof(series));
            var color = plot.Add.Palette.GetColor(s);
            var bars = plot.Add.Bars(BarArray(group.Values.Select((value, i) => new Bar
            {
                Position = i - 0.4 + width * (s + 0.5),
                Value = value,
                Size = width * 0.95,
                FillColor = color,
            })));
            bars.LegendText = group.Name;
        }
        CategoryTicks(plot, labels);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Edge.Bottom);
        return new Chart(plot, title ?? "", DefaultWidth, DefaultHeight);
    }
}
