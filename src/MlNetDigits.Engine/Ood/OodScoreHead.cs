using System.Numerics.Tensors;

namespace MlNetDigits.Engine.Ood;

/// <summary>
/// A classifier's out-of-distribution score as one number: the union of two detectors that fail in different places,
/// the free energy of the logits E(x) = −log Σ_k exp(z_k) (Liu et al., 2020, at temperature 1) and the Mahalanobis
/// distance D(x) of the penultimate features to the nearest class mean (<see cref="ClassMahalanobis"/>; Lee et al.,
/// 2018). Each is put in units of its own tail on held-out in-distribution data, u = a·s + b = (s − q) / (q − m) with m
/// its median and q the quantile it may flag above (0 at q, −1 at m), and OodScore = max(u_E, u_D) − τ: above 0, at least
/// one detector finds the input less typical than the threshold allows.
/// </summary>
public sealed class OodScoreHead
{
    /// <summary>The names of the head's constants among an exported graph's initializers (after a member's scope, e.g. "member0/").</summary>
    public static class InitializerNames
    {
        /// <summary>W: (F, F), lower triangular.</summary>
        public const string Whitening = "OodScore.whitening";

        /// <summary>W μ_c: (K, F).</summary>
        public const string WhitenedMeans = "OodScore.whitened_means";

        /// <summary>−a_E (a scalar): the graph multiplies log Σ exp(z) = −E by it.</summary>
        public const string NegativeEnergyScale = "OodScore.negative_energy_scale";

        /// <summary>b_E (a scalar).</summary>
        public const string EnergyShift = "OodScore.energy_shift";

        /// <summary>a_D (a scalar).</summary>
        public const string DistanceScale = "OodScore.distance_scale";

        /// <summary>b_D (a scalar).</summary>
        public const string DistanceShift = "OodScore.distance_shift";

        /// <summary>τ (a scalar).</summary>
        public const string Threshold = "OodScore.threshold";

        internal static readonly string[] All = [Whitening, WhitenedMeans, NegativeEnergyScale, EnergyShift, DistanceScale, DistanceShift, Threshold];
    }

    /// <summary>A head from its parts; every constant must be finite.</summary>
    public OodScoreHead(ClassMahalanobis mahalanobis, double energyScale, double energyShift, double distanceScale, double distanceShift, double threshold)
    {
        ArgumentNullException.ThrowIfNull(mahalanobis);
        if (!new[] { energyScale, energyShift, distanceScale, distanceShift, threshold }.All(double.IsFinite))
            throw new ArgumentException($"The out-of-distribution head's constants must be finite; got energy {energyScale} x + {energyShift}, distance {distanceScale} x + {distanceShift}, threshold {threshold}.");
        Mahalanobis = mahalanobis;
        EnergyScale = (float)energyScale;
        EnergyShift = (float)energyShift;
        DistanceScale = (float)distanceScale;
        DistanceShift = (float)distanceShift;
        Threshold = (float)threshold;
    }

    /// <summary>The class means and whitening of the features.</summary>
    public ClassMahalanobis Mahalanobis { get; }

    /// <summary>a_E in u_E = a_E · E + b_E.</summary>
    public float EnergyScale { get; }

    /// <summary>b_E in u_E = a_E · E + b_E.</summary>
    public float EnergyShift { get; }

    /// <summary>a_D in u_D = a_D · D + b_D.</summary>
    public float DistanceScale { get; }

    /// <summary>b_D in u_D = a_D · D + b_D.</summary>
    public float DistanceShift { get; }

    /// <summary>τ in OodScore = max(u_E, u_D) − τ.</summary>
    public float Threshold { get; }

    /// <summary>E(z) = −log Σ_k exp(z_k) of one row of logits (K), computed stably around the largest logit.</summary>
    public static double Energy(ReadOnlySpan<float> logits)
    {
        double max = TensorPrimitives.Max(logits), sum = 0;
        foreach (var z in logits)
            sum += Math.Exp(z - max);
        return -(max + Math.Log(sum));
    }

    /// <summary>(a, b) with a·s + b = (s − tail) / (tail − median): 0 at the tail quantile, −1 at the median.</summary>
    public static (double Scale, double Shift) TailUnits(double median, double tail)
    {
        double spread = Math.Max(tail - median, 1e-6 * Math.Max(1, Math.Abs(tail)));
        return (1 / spread, -tail / spread);
    }

    /// <summary>
    /// OodScore of each image from its penultimate features (N, F) and logits (N, K) into <paramref name="scores"/> (N),
    /// in float as the graph computes it.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, ReadOnlySpan<float> logits, Span<float> scores)
    {
        int n = scores.Length, k = Mahalanobis.ClassCount;
        if (logits.Length != n * k)
            throw new ArgumentException($"Expected {n} rows of {k} logits; got {logits.Length} values.", nameof(logits));
        Mahalanobis.Distance(features, scores);
        for (int i = 0; i < n; i++)
        {
            float energy = (float)Energy(logits.Slice(i * k, k));
            scores[i] = Math.Max(EnergyScale * energy + EnergyShift, DistanceScale * scores[i] + DistanceShift) - Threshold;
        }
    }

    /// <summary>The head stored among a graph's initializers under <paramref name="scope"/>, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">Some of its initializers are there and others not, or their shapes do not fit.</exception>
    public static OodScoreHead? FromInitializers(IReadOnlyDictionary<string, Tensor> initializers, string scope = "")
    {
        ArgumentNullException.ThrowIfNull(initializers);
        var names = InitializerNames.All;
        var found = names.Select(n => initializers.GetValueOrDefault(scope + n)).ToArray();
        if (found.All(t => t is null))
            return null;
        if (found.Any(t => t is null) || found[0]!.Rank != 2 || found[1]!.Rank != 2 || found.Skip(2).Any(t => t!.Length != 1))
            throw new InvalidDataException($"The graph holds only some of the out-of-distribution head's constants ({string.Join(", ", names.Where((_, i) => found[i] is not null).Select(n => scope + n))}) or holds them in the wrong shapes; it is damaged.");
        try
        {
            float Scalar(int i) => found[i]!.Data[0];
            return new OodScoreHead(new ClassMahalanobis(found[0]!.Shape[1], found[1]!.Shape[0], found[0]!.Data, found[1]!.Data),
                -Scalar(2), Scalar(3), Scalar(4), Scalar(5), Scalar(6));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The graph's out-of-distribution head does not fit together: {e.Message}", e);
        }
    }
}
