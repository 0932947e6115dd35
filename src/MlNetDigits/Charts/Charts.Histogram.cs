using ScottPlot;

namespace MlNetDigits;

public static partial class Charts
{
    /// <summary>
    /// A histogram of <paramref name="values"/> (pixel intensities, say) in <paramref name="bins"/> equal bins from
    /// <paramref name="min"/> to <paramref name="max"/> (the data's range when not given); values outside are not counted.
    /// </summary>
    public static Chart Histogram(
        string title, IEnumerable<double> values, int bins = 32, string xLabel = "", double? min = null, double? max = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] data = [.. values];
        RequireFinite(data, "The values", nameof(values));
        if (bins < 1)
            throw new ArgumentOutOfRangeException(nameof(bins), $"Expected at least one bin; {bins} was asked for.");
        double low = min ?? data.Min(), high = max ?? data.Max();
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high)
            throw new ArgumentException($"Expected a finite range with min <= max; found [{low}, {high}].", min is null ? nameof(max) : nameof(min));
        if (low == high)
            (low, high) = (low - 0.5, high + 0.5);

        // counts[b] holds the values in [low + b*w, low + (b+1)*w), the last bin closed on the right.
        var counts = new int[bins];
        double binWidth = (high - low) / bins;
        foreach (double value in data)
        {
            if (value < low || value > high)
                continue;
            counts[Math.Min(bins - 1, (int)((value - low) / binWidth))]++;
        }

        var plot = NewPlot(title, xLabel, "count");
        plot.Add.Bars(BarArray(counts.Select((count, b) => new Bar
        {
            Position = low + (b + 0.5) * binWidth,
            Value = count,
            Size = binWidth,
            FillColor = plot.Add.Palette.GetColor(0),
            LineWidth = 0,
        })));
        plot.Axes.Margins(bottom: 0);
        return new Chart(plot, title ?? "", DefaultWidth, DefaultHeight);
    }
}
