namespace MlNetDigits;

/// <summary>
/// The out-of-distribution ("not a digit") score of a trained CNN and its threshold. The score is the relative
/// Mahalanobis distance of the network's penultimate features (the last Dense layer's input; Ren et al., 2021, "A Simple
/// Fix to Mahalanobis Distance for Improving Near-OOD Detection", on Lee et al., 2018): the squared distance to the nearest
/// class mean under a covariance shared by the classes, minus the distance under one Gaussian of all the features, both
/// fitted on the training images after training. It was chosen over the maximum softmax probability, the energy score
/// and the plain Mahalanobis distance because it alone did well on both the "fast" and the "best" networks
/// (bench/RESULTS.md, "Not a digit"). The threshold is chosen on the validation images (held-out in-distribution data)
/// so that at most <see cref="TargetRate"/> of them score above it; the model outputs OodScore = RMD(x) − threshold,
/// above 0 for an image less like the training images than that share of real ones. The statistics themselves (two
/// whitening matrices and the whitened means) are stored in the ONNX graph next to the weights.
/// </summary>
public sealed record OodCalibration
{
    /// <summary>The method name recorded for the relative Mahalanobis distance.</summary>
    public const string RelativeMahalanobisMethod = "relative-mahalanobis";

    /// <summary>How the score is computed: <see cref="RelativeMahalanobisMethod"/>.</summary>
    public required string Method { get; init; }

    /// <summary>The ridge added to each covariance's diagonal, relative to its mean variance.</summary>
    public required double Ridge { get; init; }

    /// <summary>F: the number of features (inputs of the last Dense layer) the distance is measured on.</summary>
    public required int FeatureCount { get; init; }

    /// <summary>How many training images the class means and covariances were fitted on.</summary>
    public required int TrainingCount { get; init; }

    /// <summary>The distance above which an image counts as out of distribution.</summary>
    public required double Threshold { get; init; }

    /// <summary>The share of validation images the threshold was chosen to flag at most (e.g. 0.01).</summary>
    public required double TargetRate { get; init; }

    /// <summary>The share of validation images scoring above <see cref="Threshold"/> (at most <see cref="TargetRate"/>).</summary>
    public required double ValidationFlaggedShare { get; init; }

    /// <summary>How many validation images the threshold was chosen on.</summary>
    public required int ValidationCount { get; init; }

    /// <summary>
    /// The threshold for validation <paramref name="scores"/>: with them sorted, s_(1) ≤ ... ≤ s_(N), and
    /// k = N − ⌊rate · N⌋, it is halfway between s_(k) and s_(k+1) (s_(N) when k = N), so at most ⌊rate · N⌋ images score
    /// above it (exactly that many without ties) and float rounding at prediction time cannot move the one on the edge.
    /// </summary>
    internal static (double Threshold, double FlaggedShare) ChooseThreshold(ReadOnlySpan<float> scores, double rate)
    {
        if (!(rate > 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The out-of-distribution rate must be in (0, 1), e.g. 0.01.");
        int n = scores.Length;
        if (n == 0)
            throw new ArgumentException("Choosing the out-of-distribution threshold needs at least one validation image.", nameof(scores));
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        int k = Math.Max(1, n - (int)Math.Floor(rate * n + 1e-9));
        double threshold = k == n ? sorted[n - 1] : ((double)sorted[k - 1] + sorted[k]) / 2;
        return (threshold, (double)sorted.Count(s => s > threshold) / n);
    }
}
