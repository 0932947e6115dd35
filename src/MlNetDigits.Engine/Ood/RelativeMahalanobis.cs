using System.Numerics.Tensors;

namespace MlNetDigits.Engine.Ood;

/// <summary>
/// The relative Mahalanobis distance of a network's penultimate features f (Ren et al., 2021, "A Simple Fix to
/// Mahalanobis Distance for Improving Near-OOD Detection"):
/// RMD(f) = min_c (f − μ_c)ᵀ Σ⁻¹ (f − μ_c) − (f − μ_0)ᵀ Σ_0⁻¹ (f − μ_0),
/// the squared Mahalanobis distance to the nearest class mean under one covariance shared by the classes (Lee et al.,
/// 2018) minus the distance under a single "background" Gaussian of all the features. High for inputs unlike the data
/// it was fitted on. Each covariance gets a ridge of <see cref="DefaultRidge"/> times its mean variance (dead ReLU units
/// have none). Fitted in double; kept as whitening matrices W = L⁻¹ of Σ + λI = L Lᵀ, since
/// (f − μ)ᵀ (Σ + λI)⁻¹ (f − μ) = ‖W f − W μ‖², which is what the ONNX graph and <see cref="Score"/> compute in float.
/// </summary>
public sealed class RelativeMahalanobis
{
    /// <summary>The ridge added to each covariance's diagonal, relative to its mean variance: 1e-3.</summary>
    public const double DefaultRidge = 1e-3;

    /// <summary>The names of the statistics among an exported graph's initializers (after a member's scope, e.g. "member0/").</summary>
    public static class InitializerNames
    {
        /// <summary>W: (F, F), lower triangular.</summary>
        public const string Whitening = "OodScore.whitening";

        /// <summary>W μ_c: (K, F).</summary>
        public const string WhitenedMeans = "OodScore.whitened_means";

        /// <summary>W_0: (F, F), lower triangular.</summary>
        public const string BackgroundWhitening = "OodScore.background_whitening";

        /// <summary>W_0 μ_0: (F).</summary>
        public const string BackgroundWhitenedMean = "OodScore.background_whitened_mean";
    }

    /// <summary>Statistics from stored arrays (as <see cref="FromInitializers"/> reads them back).</summary>
    /// <exception cref="ArgumentException">The arrays' lengths do not fit F and K.</exception>
    public RelativeMahalanobis(int featureCount, int classCount, float[] whitening, float[] whitenedMeans, float[] backgroundWhitening, float[] backgroundWhitenedMean)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        long ff = (long)featureCount * featureCount;
        if (whitening.Length != ff || backgroundWhitening.Length != ff || whitenedMeans.Length != (long)classCount * featureCount || backgroundWhitenedMean.Length != featureCount)
            throw new ArgumentException(
                $"Relative Mahalanobis statistics for F = {featureCount} features and K = {classCount} classes need whitening matrices of {ff} values, {(long)classCount * featureCount} whitened means and a background mean of {featureCount}; " +
                $"got {whitening.Length}, {backgroundWhitening.Length}, {whitenedMeans.Length} and {backgroundWhitenedMean.Length}.");
        FeatureCount = featureCount;
        ClassCount = classCount;
        Whitening = whitening;
        WhitenedMeans = whitenedMeans;
        BackgroundWhitening = backgroundWhitening;
        BackgroundWhitenedMean = backgroundWhitenedMean;
    }

    /// <summary>F: the number of features (the last Dense layer's inputs).</summary>
    public int FeatureCount { get; }

    /// <summary>K: the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>W: (F, F) lower triangular, the whitening of the tied class covariance.</summary>
    public float[] Whitening { get; }

    /// <summary>W μ_c: (K, F).</summary>
    public float[] WhitenedMeans { get; }

    /// <summary>W_0: (F, F) lower triangular, the whitening of the covariance of all features.</summary>
    public float[] BackgroundWhitening { get; }

    /// <summary>W_0 μ_0: (F).</summary>
    public float[] BackgroundWhitenedMean { get; }

    /// <summary>
    /// Fits the statistics to <paramref name="features"/> (N, F) with classes <paramref name="labels"/> (N) in 0..K-1:
    /// μ_c, Σ = (1/N) Σ_i (f_i − μ_{y_i})(f_i − μ_{y_i})ᵀ, μ_0, Σ_0 = (1/N) Σ_i (f_i − μ_0)(f_i − μ_0)ᵀ, accumulated in
    /// double in row order (deterministic).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, a label is outside 0..K-1, or a feature is not finite.</exception>
    public static RelativeMahalanobis Fit(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int classCount, double ridge = DefaultRidge)
    {
        int n = labels.Length;
        if (n == 0 || features.Length % n != 0)
            throw new ArgumentException($"Expected N rows of F features for N = {n} labels; got {features.Length} values.", nameof(features));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (!(ridge > 0 && double.IsFinite(ridge)))
            throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "The ridge must be a positive finite number (e.g. 1e-3).");
        if (!TensorPrimitives.IsFiniteAll(features))
            throw new ArgumentException("The features hold a NaN or infinite value; the network's weights may have overflowed.", nameof(features));
        int f = features.Length / n;
        var means = new double[classCount * f];
        var counts = new int[classCount];
        var mean = new double[f];
        for (int i = 0; i < n; i++)
        {
            int c = labels[i];
            if ((uint)c >= (uint)classCount)
                throw new ArgumentException($"Label {c} of row {i} is outside 0..{classCount - 1}.", nameof(labels));
            counts[c]++;
            for (int j = 0; j < f; j++)
            {
                means[c * f + j] += features[i * f + j];
                mean[j] += features[i * f + j];
            }
        }
        for (int c = 0; c < classCount; c++)
            for (int j = 0; j < f; j++)
                means[c * f + j] /= Math.Max(1, counts[c]);
        for (int j = 0; j < f; j++)
            mean[j] /= n;

        // Lower triangles of N Σ and N Σ_0: one rank-one update per row.
        var tied = new double[f * f];
        var background = new double[f * f];
        var centred = new double[f];
        for (int i = 0; i < n; i++)
        {
            var row = features.Slice(i * f, f);
            for (int j = 0; j < f; j++)
                centred[j] = row[j] - means[labels[i] * f + j];
            AddOuterLower(tied, centred, f);
            for (int j = 0; j < f; j++)
                centred[j] = row[j] - mean[j];
            AddOuterLower(background, centred, f);
        }
        var w = Whiten(tied, n, f, ridge);
        var w0 = Whiten(background, n, f, ridge);
        var whitenedMeans = new float[classCount * f];
        for (int c = 0; c < classCount; c++)
            MultiplyLower(w, means.AsSpan(c * f, f), whitenedMeans.AsSpan(c * f, f), f);
        var whitenedMean = new float[f];
        MultiplyLower(w0, mean, whitenedMean, f);
        return new RelativeMahalanobis(f, classCount, ToFloats(w), whitenedMeans, ToFloats(w0), whitenedMean);
    }

    /// <summary>The statistics stored among a graph's initializers under <paramref name="scope"/>, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">Some of the four arrays are there and others not, or their shapes do not fit.</exception>
    public static RelativeMahalanobis? FromInitializers(IReadOnlyDictionary<string, Tensor> initializers, string scope = "")
    {
        ArgumentNullException.ThrowIfNull(initializers);
        string[] names = [InitializerNames.Whitening, InitializerNames.WhitenedMeans, InitializerNames.BackgroundWhitening, InitializerNames.BackgroundWhitenedMean];
        var found = names.Select(n => initializers.GetValueOrDefault(scope + n)).ToArray();
        if (found.All(t => t is null))
            return null;
        if (found.Any(t => t is null) || found[0]!.Rank != 2 || found[1]!.Rank != 2)
            throw new InvalidDataException($"The graph holds only some of the out-of-distribution statistics ({string.Join(", ", names.Where((_, i) => found[i] is not null).Select(n => scope + n))}) or holds them in the wrong shapes; it is damaged.");
        try
        {
            return new RelativeMahalanobis(found[0]!.Shape[1], found[1]!.Shape[0], found[0]!.Data, found[1]!.Data, found[2]!.Data, found[3]!.Data);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The graph's out-of-distribution statistics do not fit together: {e.Message}", e);
        }
    }

    /// <summary>
    /// RMD of each row of <paramref name="features"/> (N, F) into <paramref name="scores"/> (N), in float as the graph
    /// computes it: g = W f, d_c = ‖g − W μ_c‖², minus ‖W_0 f − W_0 μ_0‖².
    /// </summary>
    public void Score(ReadOnlySpan<float> features, Span<float> scores)
    {
        int f = FeatureCount, n = scores.Length;
        if (features.Length != n * f)
            throw new ArgumentException($"Expected {n} rows of {f} features; got {features.Length} values.", nameof(features));
        var g = new float[f];
        for (int i = 0; i < n; i++)
        {
            var x = features.Slice(i * f, f);
            MultiplyLower(Whitening, x, g, f);
            float nearest = float.PositiveInfinity;
            for (int c = 0; c < ClassCount; c++)
            {
                float d = TensorPrimitives.Distance<float>(g, WhitenedMeans.AsSpan(c * f, f));
                nearest = Math.Min(nearest, d * d);
            }
            MultiplyLower(BackgroundWhitening, x, g, f);
            float d0 = TensorPrimitives.Distance<float>(g, BackgroundWhitenedMean);
            scores[i] = nearest - d0 * d0;
        }
    }

    // a[r, 0..r] += v[r] v[0..r] for every r: the lower triangle of a += v vᵀ.
    private static void AddOuterLower(double[] a, double[] v, int f)
    {
        for (int r = 0; r < f; r++)
            if (v[r] != 0)
                TensorPrimitives.MultiplyAdd(v.AsSpan(0, r + 1), v[r], a.AsSpan(r * f, r + 1), a.AsSpan(r * f, r + 1));
    }

    // W = L⁻¹ for the Cholesky factor L of (lower triangle of) sum / n + λ I, λ = ridge × trace / (n f).
    private static double[] Whiten(double[] sum, int n, int f, double ridge)
    {
        double trace = 0;
        for (int r = 0; r < f; r++)
            trace += sum[r * f + r] / n;
        double lambda = ridge * Math.Max(trace / f, double.Epsilon);
        var l = new double[f * f];
        for (int r = 0; r < f; r++)
            for (int c = 0; c <= r; c++)
            {
                double s = sum[r * f + c] / n + (r == c ? lambda : 0);
                s -= TensorPrimitives.Dot<double>(l.AsSpan(r * f, c), l.AsSpan(c * f, c));
                l[r * f + c] = r == c ? Math.Sqrt(Math.Max(s, lambda * 1e-6)) : s / l[c * f + c];
            }
        // Forward substitution, column by column: L W = I.
        var w = new double[f * f];
        for (int c = 0; c < f; c++)
            for (int r = c; r < f; r++)
            {
                double s = r == c ? 1 : 0;
                for (int k = c; k < r; k++)
                    s -= l[r * f + k] * w[k * f + c];
                w[r * f + c] = s / l[r * f + r];
            }
        return w;
    }

    // y = W x for lower-triangular W (F, F).
    private static void MultiplyLower(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<float> y, int f)
    {
        for (int r = 0; r < f; r++)
            y[r] = (float)TensorPrimitives.Dot(w.Slice(r * f, r + 1), x[..(r + 1)]);
    }

    private static void MultiplyLower(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y, int f)
    {
        for (int r = 0; r < f; r++)
            y[r] = TensorPrimitives.Dot(w.Slice(r * f, r + 1), x[..(r + 1)]);
    }

    private static float[] ToFloats(double[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = (float)values[i];
        return result;
    }
}
