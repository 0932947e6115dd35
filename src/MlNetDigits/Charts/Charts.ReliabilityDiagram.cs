using ScottPlot;

namespace MlNetDigits;

public static partial class Charts
{
    /// <summary>
    /// A reliability diagram: for B equal-width confidence bins (bin i covers [i/B, (i+1)/B)), the accuracy of the
    /// predictions in the bin as a bar, their mean confidence as a marker, the diagonal of perfect calibration, and
    /// how many predictions fell in each bin as a histogram on the right axis. An empty bin (count 0) may give NaN.
    /// </summary>
    public static Chart ReliabilityDiagram(
        IReadOnlyList<double> confidence, IReadOnlyList<double> accuracy, IReadOnlyList<int> counts, string title = "Reliability")
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(accuracy);
        ArgumentNullException.ThrowIfNull(counts);
        int bins = counts.Count;
        if (bins == 0)
            throw new ArgumentException("Expected at least one bin; found none.", nameof(counts));
        RequireCount(bins, confidence.Count, "The mean confidence per bin", nameof(confidence));
        RequireCount(bins, accuracy.Count, "The accuracy per bin", nameof(accuracy));
        for (int i = 0; i < bins; i++)
        {
            if (counts[i] < 0)
                throw new ArgumentException($"Bin {i} counts {counts[i]} predictions: expected zero or more.", nameof(counts));
            if (counts[i] == 0)
                continue;
            if (!(confidence[i] is >= 0 and <= 1))
                throw new ArgumentException($"Bin {i} has mean confidence {confidence[i]}: expected a number from 0 to 1.", nameof(confidence));
            if (!(accuracy[i] is >= 0 and <= 1))
                throw new ArgumentException($"Bin {i} has accuracy {accuracy[i]}: expected a number from 0 to 1.", nameof(accuracy));
        }

        var plot = NewPlot(title, "confidence", "accuracy");
        double width = 1.0 / bins;
        var histogram = plot.Add.Bars(BarArray(counts.Select((count, i) => new Bar
        {
            Position = (i + 0.5) * width,
            Value = count,
            Size = width,
            FillColor = Colors.Gray.WithAlpha(0.25),
            LineWidth = 0,
        })));
        histogram.LegendText = "predictions (right axis)";
        histogram.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "predictions";

        var filled = Enumerable.Range(0, bins).Where(i => counts[i] > 0).ToList();
        var bars = plot.Add.Bars(BarArray(filled.Select(i => new Bar
        {
            Position = (i + 0.5) * width,
            Value = accuracy[i],
            Size = width * 0.9,
            FillColor = plot.Add.Palette.GetColor(0).WithAlpha(0.8),
        })));
        bars.LegendText = "accuracy";
        if (filled.Count > 0)
        {
            var markers = plot.Add.ScatterPoints(filled.Select(i => (i + 0.5) * width).ToArray(), filled.Select(i => confidence[i]).ToArray());
            markers.LegendText = "mean confidence";
            markers.MarkerSize = 7;
            markers.Color = plot.Add.Palette.GetColor(1);
        }
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Black;
        diagonal.LegendText = "perfect calibration";

        plot.Axes.SetLimitsX(0, 1);
        plot.Axes.SetLimitsY(0, 1, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(1, counts.Max()) * 1.1, plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperLeft);
        return new Chart(plot, title ?? "", DefaultWidth, DefaultHeight);
    }
}
