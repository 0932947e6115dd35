using MlNetDigits.Engine.Ood;

namespace MlNetDigits.Engine.Tests.Ood;

/// <summary>The relative Mahalanobis statistics against a direct computation with the inverse covariance.</summary>
public class RelativeMahalanobisTests
{
    /// <summary>(f − μ)ᵀ A⁻¹ (f − μ) by solving A y = f − μ with Gauss-Jordan elimination (partial pivoting), in double.</summary>
    private static double QuadraticForm(double[,] a, double[] v)
    {
        int n = v.Length;
        var m = new double[n, n + 1];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
                m[r, c] = a[r, c];
            m[r, n] = v[r];
        }
        for (int c = 0; c < n; c++)
        {
            int pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(m[r, c]));
            for (int k = 0; k <= n; k++)
                (m[c, k], m[pivot, k]) = (m[pivot, k], m[c, k]);
            for (int r = 0; r < n; r++)
            {
                if (r == c)
                    continue;
                double factor = m[r, c] / m[c, c];
                for (int k = c; k <= n; k++)
                    m[r, k] -= factor * m[c, k];
            }
        }
        return Enumerable.Range(0, n).Sum(r => v[r] * m[r, n] / m[r, r]);
    }

    /// <summary>The covariance (1/N) Σ (f − centre(f))(f − centre(f))ᵀ plus ridge × mean variance on the diagonal.</summary>
    private static double[,] Covariance(float[] x, int n, int f, Func<int, int, double> centre, double ridge)
    {
        var s = new double[f, f];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < f; a++)
                for (int b = 0; b < f; b++)
                    s[a, b] += (x[i * f + a] - centre(i, a)) * (x[i * f + b] - centre(i, b)) / n;
        double lambda = ridge * Enumerable.Range(0, f).Average(a => s[a, a]);
        for (int a = 0; a < f; a++)
            s[a, a] += lambda;
        return s;
    }

    [Theory]
    [InlineData(6, 3, 40)]
    [InlineData(13, 4, 25)]  // fewer rows per class than features: only the ridge keeps Σ invertible
    public void Score_EqualsTheDistancesWithTheInverseCovariances(int f, int k, int n)
    {
        var rng = new Rng(3);
        var x = new float[n * f];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % k;
            for (int a = 0; a < f; a++)
                x[i * f + a] = rng.NextUniform(-1, 1) + labels[i] * (a % 3) + (a == 0 ? 0 : x[i * f + a - 1] * 0.5f); // correlated, class-shifted
        }
        x[5] = 0; // a feature that is sometimes exactly zero, like a ReLU's
        var means = new double[k, f];
        var mean = new double[f];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < f; a++)
            {
                means[labels[i], a] += x[i * f + a] / (n / k + (labels[i] < n % k ? 1 : 0));
                mean[a] += x[i * f + a] / n;
            }
        var tied = Covariance(x, n, f, (i, a) => means[labels[i], a], RelativeMahalanobis.DefaultRidge);
        var background = Covariance(x, n, f, (_, a) => mean[a], RelativeMahalanobis.DefaultRidge);
        var probes = new float[5 * f];
        for (int i = 0; i < probes.Length; i++)
            probes[i] = rng.NextUniform(-3, 3);

        var statistics = RelativeMahalanobis.Fit(x, labels, k);
        var scores = new float[5];
        statistics.Score(probes, scores);

        for (int p = 0; p < 5; p++)
        {
            var probe = probes.AsSpan(p * f, f).ToArray();
            double nearest = Enumerable.Range(0, k).Min(c => QuadraticForm(tied, [.. probe.Select((v, a) => v - means[c, a])]));
            double expected = nearest - QuadraticForm(background, [.. probe.Select((v, a) => v - mean[a])]);
            Assert.Equal(expected, scores[p], Math.Max(1e-3, Math.Abs(expected) * 1e-4));
        }
    }

    [Fact]
    public void Fit_IsDeterministic()
    {
        var rng = new Rng(4);
        var x = new float[200 * 9];
        rng.NextFloats(x);
        var labels = Enumerable.Range(0, 200).Select(i => i % 4).ToArray();

        var a = RelativeMahalanobis.Fit(x, labels, 4);
        var b = RelativeMahalanobis.Fit(x, labels, 4);

        Assert.Equal(a.Whitening, b.Whitening);
        Assert.Equal(a.WhitenedMeans, b.WhitenedMeans);
        Assert.Equal(a.BackgroundWhitening, b.BackgroundWhitening);
        Assert.Equal(a.BackgroundWhitenedMean, b.BackgroundWhitenedMean);
    }

    [Fact]
    public void Fit_Throws_GivenALabelOutsideTheClasses()
    {
        var e = Assert.Throws<ArgumentException>(() => RelativeMahalanobis.Fit(new float[4 * 2], [0, 1, 3, 0], 3));
        Assert.Contains("Label 3 of row 2 is outside 0..2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromInitializers_ReadsBackWhatWasStored_AndNullWhenAbsent()
    {
        var statistics = RelativeMahalanobis.Fit(new float[] { 1, 2, 3, 5, 2, 1, 0, 4 }, [0, 1, 0, 1], 2);
        var stored = new Dictionary<string, Tensor>
        {
            ["m/" + RelativeMahalanobis.InitializerNames.Whitening] = new(statistics.Whitening, 2, 2),
            ["m/" + RelativeMahalanobis.InitializerNames.WhitenedMeans] = new(statistics.WhitenedMeans, 2, 2),
            ["m/" + RelativeMahalanobis.InitializerNames.BackgroundWhitening] = new(statistics.BackgroundWhitening, 2, 2),
            ["m/" + RelativeMahalanobis.InitializerNames.BackgroundWhitenedMean] = new(statistics.BackgroundWhitenedMean, 2),
        };

        var read = RelativeMahalanobis.FromInitializers(stored, "m/")!;

        Assert.Equal(statistics.Whitening, read.Whitening);
        Assert.Equal(2, read.ClassCount);
        Assert.Null(RelativeMahalanobis.FromInitializers(stored, ""));
        stored.Remove("m/" + RelativeMahalanobis.InitializerNames.WhitenedMeans);
        Assert.Throws<InvalidDataException>(() => RelativeMahalanobis.FromInitializers(stored, "m/"));
    }
}
