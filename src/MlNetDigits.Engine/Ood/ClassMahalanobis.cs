using System.Numerics.Tensors;

namespace MlNetDigits.Engine.Ood;

/// <summary>
/// The squared Mahalanobis distance of a network's penultimate features f to the nearest class mean under one covariance
/// shared by the classes (Lee et al., 2018, "A Simple Unified Framework for Detecting Out-of-Distribution Samples and
/// Adversarial Attacks"): D(f) = min_c (f − μ_c)ᵀ Σ⁻¹ (f − μ_c), high for inputs unlike the data it was fitted on. The
/// covariance gets a ridge of <see cref="DefaultRidge"/> times its mean variance (dead ReLU units have none). Fitted in
/// double; kept as the whitening matrix W = L⁻¹ of Σ + λI = L Lᵀ and the whitened means, since
/// (f − μ)ᵀ (Σ + λI)⁻¹ (f − μ) = ‖W f − W μ‖², which is what the ONNX graph and <see cref="Distance"/> compute in float.
/// </summary>
public sealed class ClassMahalanobis
{
    /// <summary>The ridge added to the covariance's diagonal, relative to its mean variance: 1e-3.</summary>
    public const double DefaultRidge = 1e-3;

    /// <summary>Statistics from stored arrays.</summary>
    /// <exception cref="ArgumentException">The arrays' lengths do not fit F and K.</exception>
    public ClassMahalanobis(int featureCount, int classCount, float[] whitening, float[] whitenedMeans)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentNullException.ThrowIfNull(whitening);
        ArgumentNullException.ThrowIfNull(whitenedMeans);
        if (whitening.Length != (long)featureCount * featureCount || whitenedMeans.Length != (long)classCount * featureCount)
            throw new ArgumentException(
                $"Mahalanobis statistics for F = {featureCount} features and K = {classCount} classes need a whitening matrix of {(long)featureCount * featureCount} values and {(long)classCount * featureCount} whitened means; " +
                $"got {whitening.Length} and {whitenedMeans.Length}.");
        FeatureCount = featureCount;
        ClassCount = classCount;
        Whitening = whitening;
        WhitenedMeans = whitenedMeans;
    }

    /// <summary>F: the number of features (the last Dense layer's inputs).</summary>
    public int FeatureCount { get; }

    /// <summary>K: the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>W: (F, F) lower triangular, the whitening of the tied class covariance.</summary>
    public float[] Whitening { get; }

    /// <summary>W μ_c: (K, F).</summary>
    public float[] WhitenedMeans { get; }

    /// <summary>
    /// Fits the statistics to <paramref name="features"/> (N, F) with classes <paramref name="labels"/> (N) in 0..K-1:
    /// μ_c and Σ = (1/N) Σ_i (f_i − μ_{y_i})(f_i − μ_{y_i})ᵀ, accumulated in double in row order (deterministic).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, a label is outside 0..K-1, or a feature is not finite.</exception>
    public static ClassMahalanobis Fit(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int classCount, double ridge = DefaultRidge)
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
        for (int i = 0; i < n; i++)
        {
            int c = labels[i];
            if ((uint)c >= (uint)classCount)
                throw new ArgumentException($"Label {c} of row {i} is outside 0..{classCount - 1}.", nameof(labels));
            counts[c]++;
            for (int j = 0; j < f; j++)
                means[c * f + j] += features[i * f + j];
        }
        for (int c = 0; c < classCount; c++)
            for (int j = 0; j < f; j++)
                means[c * f + j] /= Math.Max(1, counts[c]);

        // The lower triangle of N Σ: one rank-one update per row.
        var sum = new double[f * f];
        var centred = new double[f];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < f; j++)
                centred[j] = features[i * f + j] - means[labels[i] * f + j];
            AddOuterLower(sum, centred, f);
        }
        var w = Whiten(sum, n, f, ridge);
        var whitenedMeans = new float[classCount * f];
        for (int c = 0; c < classCount; c++)
            MultiplyLower(w, means.AsSpan(c * f, f), whitenedMeans.AsSpan(c * f, f), f);
        return new ClassMahalanobis(f, classCount, ToFloats(w), whitenedMeans);
    }

    /// <summary>
    /// D of each row of <paramref name="features"/> (N, F) into <paramref name="distances"/> (N), in float as the graph
    /// computes it: g = W f, then min_c ‖g − W μ_c‖².
    /// </summary>
    public void Distance(ReadOnlySpan<float> features, Span<float> distances)
    {
        int f = FeatureCount, n = distances.Length;
        if (features.Length != n * f)
            throw new ArgumentException($"Expected {n} rows of {f} features; got {features.Length} values.", nameof(features));
        var g = new float[f];
        for (int i = 0; i < n; i++)
        {
            MultiplyLower(Whitening, features.Slice(i * f, f), g, f);
            float nearest = float.PositiveInfinity;
            for (int c = 0; c < ClassCount; c++)
            {
                float d = TensorPrimitives.Distance<float>(g, WhitenedMeans.AsSpan(c * f, f));
                nearest = Math.Min(nearest, d * d);
            }
            distances[i] = nearest;
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
