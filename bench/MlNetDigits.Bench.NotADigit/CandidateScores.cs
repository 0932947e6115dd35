using System.Numerics.Tensors;

/// <summary>
/// The out-of-distribution scores compared, each higher for a less digit-like image, computed here from a network's
/// logits (N, K) and penultimate features (N, F) independently of the library's implementation.
/// </summary>
internal static class CandidateScores
{
    /// <summary>−max_k softmax(z / T)_k: the maximum softmax probability baseline (Hendrycks and Gimpel, ICLR 2017).</summary>
    public static double[] MaxSoftmax(float[] logits, int classes, double temperature)
    {
        int n = logits.Length / classes;
        var scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            var z = logits.AsSpan(i * classes, classes);
            double max = double.NegativeInfinity, sum = 0;
            foreach (var v in z)
                max = Math.Max(max, v / temperature);
            foreach (var v in z)
                sum += Math.Exp(v / temperature - max);
            scores[i] = -1 / sum; // the top probability is exp(0) / sum
        }
        return scores;
    }

    /// <summary>The free energy E(x) = −T log Σ_k exp(z_k / T) at T = 1 (Liu et al., NeurIPS 2020): high for OOD images.</summary>
    public static double[] Energy(float[] logits, int classes)
    {
        int n = logits.Length / classes;
        var scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            var z = logits.AsSpan(i * classes, classes);
            double max = TensorPrimitives.Max<float>(z), sum = 0;
            foreach (var v in z)
                sum += Math.Exp(v - max);
            scores[i] = -(max + Math.Log(sum));
        }
        return scores;
    }

    /// <summary>
    /// Class means and a tied (shared) covariance of the features, fitted on labelled training rows, with a ridge of
    /// <paramref name="ridge"/> × (mean feature variance) on the diagonal; scores are min_c (f − μ_c)ᵀ Σ⁻¹ (f − μ_c), the
    /// squared Mahalanobis distance to the nearest class mean (Lee et al., NeurIPS 2018, penultimate layer, no input
    /// preprocessing). Computed through the whitening W = L⁻¹ of Σ = L Lᵀ: d_c = ‖W f − W μ_c‖².
    /// </summary>
    public sealed class Mahalanobis
    {
        private readonly int _features, _classes;
        private readonly float[] _whitening;     // W: (F, F), lower triangular
        private readonly float[] _whitenedMeans; // W μ: (K, F)

        public Mahalanobis(float[] features, int[] labels, int classes, double ridge)
        {
            int n = labels.Length, f = features.Length / n;
            (_features, _classes) = (f, classes);
            var means = new double[classes * f];
            var counts = new int[classes];
            for (int i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                for (int j = 0; j < f; j++)
                    means[labels[i] * f + j] += features[i * f + j];
            }
            for (int c = 0; c < classes; c++)
                for (int j = 0; j < f; j++)
                    means[c * f + j] /= Math.Max(1, counts[c]);
            var covariance = new double[f * f];
            var centred = new double[f];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < f; j++)
                    centred[j] = features[i * f + j] - means[labels[i] * f + j];
                for (int a = 0; a < f; a++)
                {
                    double ca = centred[a];
                    if (ca == 0)
                        continue;
                    for (int b = 0; b <= a; b++)
                        covariance[a * f + b] += ca * centred[b];
                }
            }
            double trace = 0;
            for (int a = 0; a < f; a++)
                trace += covariance[a * f + a] / n;
            double lambda = ridge * trace / f;
            for (int a = 0; a < f; a++)
                for (int b = 0; b <= a; b++)
                    covariance[a * f + b] = covariance[a * f + b] / n + (a == b ? lambda : 0);
            // Cholesky Σ = L Lᵀ (lower triangle), then W = L⁻¹ by forward substitution.
            var l = new double[f * f];
            for (int a = 0; a < f; a++)
                for (int b = 0; b <= a; b++)
                {
                    double s = covariance[a * f + b];
                    for (int k = 0; k < b; k++)
                        s -= l[a * f + k] * l[b * f + k];
                    l[a * f + b] = a == b ? Math.Sqrt(s) : s / l[b * f + b];
                }
            var w = new double[f * f];
            for (int col = 0; col < f; col++)
                for (int a = col; a < f; a++)
                {
                    double s = a == col ? 1 : 0;
                    for (int k = col; k < a; k++)
                        s -= l[a * f + k] * w[k * f + col];
                    w[a * f + col] = s / l[a * f + a];
                }
            _whitening = [.. w.Select(v => (float)v)];
            _whitenedMeans = new float[classes * f];
            for (int c = 0; c < classes; c++)
                for (int a = 0; a < f; a++)
                {
                    double s = 0;
                    for (int b = 0; b <= a; b++)
                        s += w[a * f + b] * means[c * f + b];
                    _whitenedMeans[c * f + a] = (float)s;
                }
        }

        public double[] Score(float[] features)
        {
            int n = features.Length / _features, f = _features;
            var scores = new double[n];
            var g = new float[f];
            for (int i = 0; i < n; i++)
            {
                var x = features.AsSpan(i * f, f);
                for (int a = 0; a < f; a++)
                    g[a] = TensorPrimitives.Dot<float>(_whitening.AsSpan(a * f, a + 1), x[..(a + 1)]);
                double best = double.PositiveInfinity;
                for (int c = 0; c < _classes; c++)
                    best = Math.Min(best, TensorPrimitives.Distance<float>(g, _whitenedMeans.AsSpan(c * f, f)) is var d ? (double)d * d : 0);
                scores[i] = best;
            }
            return scores;
        }
    }

    /// <summary>
    /// The distance from the L2-normalised feature vector to its k-th nearest neighbour among normalised training features
    /// (every (N / count)-th training row), as in Sun et al., "Out-of-Distribution Detection with Deep Nearest Neighbors",
    /// ICML 2022.
    /// </summary>
    public sealed class NearestNeighbours
    {
        private readonly float[] _bank; // (M, F), unit rows
        private readonly int _features, _k;

        public NearestNeighbours(float[] features, int featureCount, int count, int k)
        {
            int n = features.Length / featureCount;
            int step = Math.Max(1, n / count);
            var rows = Enumerable.Range(0, n).Where(i => i % step == 0).Take(count).ToArray();
            _bank = new float[rows.Length * featureCount];
            for (int r = 0; r < rows.Length; r++)
                Normalise(features.AsSpan(rows[r] * featureCount, featureCount), _bank.AsSpan(r * featureCount, featureCount));
            (_features, _k) = (featureCount, k);
        }

        public double[] Score(float[] features)
        {
            int n = features.Length / _features, m = _bank.Length / _features;
            var scores = new double[n];
            Parallel.For(0, n, () => (new float[_features], new float[m]), (i, _, buffers) =>
            {
                var (x, similarity) = buffers;
                Normalise(features.AsSpan(i * _features, _features), x);
                for (int r = 0; r < m; r++)
                    similarity[r] = TensorPrimitives.Dot<float>(x, _bank.AsSpan(r * _features, _features));
                Array.Sort(similarity);
                // ‖a − b‖² = 2 − 2 a·b for unit vectors: the k-th nearest has the k-th largest similarity.
                scores[i] = Math.Sqrt(Math.Max(0, 2 - 2 * similarity[m - _k]));
                return buffers;
            }, _ => { });
            return scores;
        }

        private static void Normalise(ReadOnlySpan<float> source, Span<float> destination)
        {
            float norm = TensorPrimitives.Norm(source);
            if (norm == 0)
                destination.Clear();
            else
                TensorPrimitives.Divide(source, norm, destination);
        }
    }

    /// <summary>The threshold that flags at most <paramref name="share"/> of <paramref name="inDistribution"/> (flag: score > threshold).</summary>
    public static double Threshold(IReadOnlyList<double> inDistribution, double share)
    {
        var sorted = inDistribution.Order().ToArray();
        int keep = (int)Math.Ceiling((1 - share) * sorted.Length);
        return sorted[Math.Clamp(keep - 1, 0, sorted.Length - 1)];
    }
}
