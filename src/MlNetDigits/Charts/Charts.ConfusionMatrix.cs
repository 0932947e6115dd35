using ScottPlot;

namespace MlNetDigits;

public static partial class Charts
{
    /// <summary>
    /// A confusion matrix as a heat map: rows are the actual classes (first at the top), columns the predicted ones,
    /// each cell shaded by its share of the row (so recall shows on the diagonal) and labelled with its count.
    /// </summary>
    /// <param name="counts">counts[actual, predicted]: (K, K), non-negative.</param>
    /// <param name="classNames">K names, for both axes.</param>
    /// <param name="title">The title.</param>
    public static Chart ConfusionMatrix(int[,] counts, IReadOnlyList<string> classNames, string title = "Confusion matrix")
    {
        ArgumentNullException.ThrowIfNull(counts);
        RequireLabels(classNames, nameof(classNames));
        int k = classNames.Count;
        if (counts.GetLength(0) != k || counts.GetLength(1) != k)
            throw new ArgumentException(
                $"Expected a {k} x {k} matrix of counts (one row and one column per class name); found " +
                $"{counts.GetLength(0)} x {counts.GetLength(1)}.", nameof(counts));

        var plot = NewPlot(title, "predicted", "actual");
        var colormap = new ScottPlot.Colormaps.Blues();
        float fontSize = k <= 10 ? 12 : k <= 20 ? 9 : 7;
        for (int actual = 0; actual < k; actual++)
        {
            long rowTotal = 0;
            for (int predicted = 0; predicted < k; predicted++)
            {
                int count = counts[actual, predicted];
                if (count < 0)
                    throw new ArgumentException(
                        $"counts[{actual}, {predicted}] is {count}: expected counts of zero or more.", nameof(counts));
                rowTotal += count;
            }
            double y = k - 1 - actual;
            for (int predicted = 0; predicted < k; predicted++)
            {
                int count = counts[actual, predicted];
                double share = rowTotal == 0 ? 0 : (double)count / rowTotal;
                var cell = plot.Add.Rectangle(predicted - 0.5, predicted + 0.5, y - 0.5, y + 0.5);
                cell.FillStyle.Color = colormap.GetColor(0.95 - 0.9 * share); // Blues runs from dark (0) to light (1)
                cell.LineStyle.Width = 1;
                cell.LineStyle.Color = Colors.White;
                var text = plot.Add.Text(count.ToString(System.Globalization.CultureInfo.InvariantCulture), predicted, y);
                text.LabelFontSize = fontSize;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = share > 0.5 ? Colors.White : Colors.Black;
            }
        }

        CategoryTicks(plot, classNames);
        double[] rows = [.. Enumerable.Range(0, k).Select(i => (double)i)];
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(rows, [.. classNames.Reverse()]);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.HideGrid();
        return new Chart(plot, title ?? "", 560, 520);
    }
}
