namespace MlNetDigits;

/// <summary>
/// The out-of-distribution ("not a digit") score of a trained CNN and its threshold: the free energy
/// E(x) = −log Σ_k exp(z_k) of the logits z at temperature 1 (Liu et al., "Energy-based Out-of-distribution Detection",
/// NeurIPS 2020), lower for images like the training data. The threshold τ is chosen after training on the validation
/// images (held-out in-distribution data) so that at most <see cref="TargetRate"/> of them score above it. The model
/// outputs OodScore = E(x) − τ: above 0, the image is less like the training images than that share of real ones.
/// Chosen over the maximum softmax probability and the Mahalanobis distance in the penultimate features by the
/// measurements in bench/RESULTS.md ("Not a digit").
/// </summary>
public sealed record OodCalibration
{
    /// <summary>The method name recorded for the free-energy score.</summary>
    public const string EnergyMethod = "energy";

    /// <summary>How the score is computed: <see cref="EnergyMethod"/>.</summary>
    public required string Method { get; init; }

    /// <summary>τ: the energy above which an image counts as out of distribution.</summary>
    public required double Threshold { get; init; }

    /// <summary>The share of validation images the threshold was chosen to flag at most (e.g. 0.01).</summary>
    public required double TargetRate { get; init; }

    /// <summary>The share of validation images whose energy is above τ (at most <see cref="TargetRate"/>).</summary>
    public required double ValidationFlaggedShare { get; init; }

    /// <summary>How many validation images τ was chosen on.</summary>
    public required int ValidationCount { get; init; }

    /// <summary>E(z) = −log Σ_k exp(z_k) of one row of logits (K), computed stably around the largest logit.</summary>
    public static double Energy(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var z in logits)
            max = Math.Max(max, z);
        foreach (var z in logits)
            sum += Math.Exp(z - max);
        return -(max + Math.Log(sum));
    }

    /// <summary>
    /// The threshold for validation logits (N, K): with the energies sorted, e_(1) ≤ ... ≤ e_(N), and k = N − ⌊rate · N⌋,
    /// τ is halfway between e_(k) and e_(k+1) (e_(N) when k = N), so at most ⌊rate · N⌋ images score above it (exactly
    /// that many without ties) and float rounding at prediction time cannot move the one on the edge.
    /// </summary>
    internal static OodCalibration Fit(ReadOnlySpan<float> logits, int classes, double rate)
    {
        if (!(rate > 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The out-of-distribution rate must be in (0, 1), e.g. 0.01.");
        int n = logits.Length / classes;
        if (n == 0)
            throw new ArgumentException("Choosing the out-of-distribution threshold needs at least one validation image.", nameof(logits));
        var energies = new double[n];
        for (int i = 0; i < n; i++)
            energies[i] = Energy(logits.Slice(i * classes, classes));
        Array.Sort(energies);
        int k = Math.Max(1, n - (int)Math.Floor(rate * n + 1e-9));
        double threshold = k == n ? energies[n - 1] : (energies[k - 1] + energies[k]) / 2;
        return new OodCalibration
        {
            Method = EnergyMethod,
            Threshold = threshold,
            TargetRate = rate,
            ValidationFlaggedShare = (double)energies.Count(e => e > threshold) / n,
            ValidationCount = n,
        };
    }
}
