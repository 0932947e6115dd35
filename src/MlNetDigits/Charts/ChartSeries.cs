namespace MlNetDigits;

/// <summary>
/// A named series for <see cref="Charts.TrainingCurves"/> or <see cref="Charts.GroupedBars"/>: its values and, for a
/// line, the x of each value (1, 2, 3, … — epochs — when not given) and whether it is drawn dashed.
/// </summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> Values)
{
    /// <summary>The x of each value (same count), or null for 1, 2, 3, ….</summary>
    public IReadOnlyList<double>? X { get; init; }

    /// <summary>Draws the line dashed (e.g. validation next to training).</summary>
    public bool Dashed { get; init; }
}
