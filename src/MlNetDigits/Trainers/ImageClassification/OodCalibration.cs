namespace MlNetDigits;

/// <summary>
/// The out-of-distribution ("not a digit") score of a trained CNN and how it was set up. Two detectors that fail in
/// different places are united: the free energy of the logits, E(x) = −log Σ_k exp(z_k) (Liu et al., 2020, "Energy-based
/// Out-of-distribution Detection"), and the Mahalanobis distance of the penultimate features (the last Dense layer's
/// input) to the nearest class mean under one covariance shared by the classes (Lee et al., 2018, "A Simple Unified
/// Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks"), fitted on the training images after
/// training. On the validation images (held-out in-distribution data) each is put in units of its own tail,
/// u = (s − q) / (q − m) with m its median and q its (1 − rate/2) quantile, and the model outputs
/// OodScore = max(u_E, u_D) − τ with τ chosen so that at most <see cref="TargetRate"/> of the validation images score
/// above 0. Why the union: on the "fast" network the energy separates Fashion-MNIST from MNIST and the distance does not
/// (AUROC 0.99 and 0.57); on the "best" network (batch norm, label smoothing) it is the other way round (0.85 and 0.999);
/// the union does well on both (bench/RESULTS.md, "Not a digit"). The class means and whitening live in the ONNX graph
/// next to the weights; the numbers here describe them.
/// </summary>
public sealed record OodCalibration
{
    /// <summary>The method name recorded for the union of energy and class Mahalanobis distance.</summary>
    public const string EnergyOrMahalanobisMethod = "energy|mahalanobis";

    /// <summary>How the score is computed: <see cref="EnergyOrMahalanobisMethod"/>.</summary>
    public required string Method { get; init; }

    /// <summary>The ridge added to the covariance's diagonal, relative to its mean variance.</summary>
    public required double Ridge { get; init; }

    /// <summary>F: the number of features (inputs of the last Dense layer) the distance is measured on.</summary>
    public required int FeatureCount { get; init; }

    /// <summary>How many training images the class means and the covariance were fitted on.</summary>
    public required int TrainingCount { get; init; }

    /// <summary>The median energy of the validation images.</summary>
    public required double EnergyMedian { get; init; }

    /// <summary>The energy at the validation images' (1 − rate/2) quantile: 0 in the energy's tail units.</summary>
    public required double EnergyTail { get; init; }

    /// <summary>The median distance of the validation images.</summary>
    public required double DistanceMedian { get; init; }

    /// <summary>The distance at the validation images' (1 − rate/2) quantile: 0 in the distance's tail units.</summary>
    public required double DistanceTail { get; init; }

    /// <summary>τ: the threshold on max(u_E, u_D).</summary>
    public required double Threshold { get; init; }

    /// <summary>The share of validation images the threshold was chosen to flag at most (e.g. 0.01).</summary>
    public required double TargetRate { get; init; }

    /// <summary>The share of validation images scoring above the threshold (at most <see cref="TargetRate"/>).</summary>
    public required double ValidationFlaggedShare { get; init; }

    /// <summary>How many validation images the tails and the threshold were chosen on.</summary>
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
