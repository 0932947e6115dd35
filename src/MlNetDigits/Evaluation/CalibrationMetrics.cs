namespace MlNetDigits;

/// <summary>One equal-width confidence bin of a reliability diagram.</summary>
/// <param name="Lower">The bin's lower confidence edge (inclusive).</param>
/// <param name="Upper">The bin's upper confidence edge (exclusive, except 1 for the last bin).</param>
/// <param name="Count">The predictions whose top probability falls in the bin.</param>
/// <param name="MeanConfidence">Their mean top probability (0 when empty).</param>
/// <param name="Accuracy">The share of them that are right (0 when empty).</param>
public sealed record CalibrationBin(double Lower, double Upper, long Count, double MeanConfidence, double Accuracy);

/// <summary>
/// How well a classifier's probabilities match its accuracy (Guo et al., 2017): the top probability of each prediction is
/// put in one of <see cref="Bins"/> equal-width bins; ECE = Σ_b (n_b / n) |accuracy_b − confidence_b| and MCE = max_b of the
/// same gap. 0 is perfectly calibrated. ML.NET's evaluator does not compute these.
/// </summary>
public sealed class CalibrationMetrics
{
    /// <summary>The number of bins used unless told otherwise: 15, as in Guo et al.</summary>
    public const int DefaultBinCount = 15;

    internal CalibrationMetrics(IReadOnlyList<CalibrationBin> bins, long count)
    {
        Bins = bins;
        Count = count;
        double ece = 0, mce = 0;
        foreach (var b in bins)
        {
            if (b.Count == 0)
                continue;
            var gap = Math.Abs(b.Accuracy - b.MeanConfidence);
            ece += (double)b.Count / count * gap;
            mce = Math.Max(mce, gap);
        }
        ExpectedCalibrationError = ece;
        MaximumCalibrationError = mce;
    }

    /// <summary>ECE: the bins' accuracy-confidence gaps weighted by their share of the predictions (0..1).</summary>
    public double ExpectedCalibrationError { get; }

    /// <summary>MCE: the largest accuracy-confidence gap of a non-empty bin (0..1).</summary>
    public double MaximumCalibrationError { get; }

    /// <summary>The bins, lowest confidence first: the data of a reliability diagram.</summary>
    public IReadOnlyList<CalibrationBin> Bins { get; }

    /// <summary>The number of predictions measured.</summary>
    public long Count { get; }
}
