using MlNetDigits.Engine.Ood;

namespace MlNetDigits.Engine.Tests.Ood;

/// <summary>The class Mahalanobis distance against a direct computation with the inverse covariance, and the head's union.</summary>
public class OodScoreHeadTests
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
    public void Distance_EqualsTheQuadraticFormWithTheInverseCovariance(int f, int k, int n)
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
        for (int i = 0; i < n; i++)
            for (int a = 0; a < f; a++)
                means[labels[i], a] += x[i * f + a] / (n / k + (labels[i] < n % k ? 1 : 0));
        var tied = Covariance(x, n, f, (i, a) => means[labels[i], a], ClassMahalanobis.DefaultRidge);
        var probes = new float[5 * f];
        for (int i = 0; i < probes.Length; i++)
            probes[i] = rng.NextUniform(-3, 3);

        var mahalanobis = ClassMahalanobis.Fit(x, labels, k);
        var distances = new float[5];
        mahalanobis.Distance(probes, distances);

        for (int p = 0; p < 5; p++)
        {
            var probe = probes.AsSpan(p * f, f).ToArray();
            double expected = Enumerable.Range(0, k).Min(c => QuadraticForm(tied, [.. probe.Select((v, a) => v - means[c, a])]));
            Assert.Equal(expected, distances[p], Math.Max(1e-3, expected * 1e-4));
        }
    }

    [Fact]
    public void Score_IsTheLargerOfTheTwoDetectorsInTailUnits_MinusTheThreshold()
    {
        var mahalanobis = ClassMahalanobis.Fit(new float[] { 0, 0, 1, 0, 0, 1, 1, 1, 2, 1, 1, 2 }, [0, 0, 1, 1, 0, 1], 2);
        var (energyScale, energyShift) = OodScoreHead.TailUnits(-5, -3);     // energy −3 is 0, −5 is −1
        var (distanceScale, distanceShift) = OodScoreHead.TailUnits(2, 10);   // distance 10 is 0, 2 is −1
        var head = new OodScoreHead(mahalanobis, energyScale, energyShift, distanceScale, distanceShift, threshold: 0.25);
        float[] features = [0.5f, 0.5f, 30, -30];
        float[] logits = [9, 0, 0.5f, 0.5f]; // energies ≈ −9.0001 (confident) and ≈ 0.19 (flat)

        var scores = new float[2];
        head.Score(features, logits, scores);

        var distances = new float[2];
        mahalanobis.Distance(features, distances);
        for (int i = 0; i < 2; i++)
        {
            double energy = OodScoreHead.Energy(logits.AsSpan(i * 2, 2));
            double expected = Math.Max((energy + 3) / 2, (distances[i] - 10) / 8) - 0.25;
            Assert.Equal(expected, scores[i], 1e-4);
        }
        Assert.Equal(-Math.Log(Math.Exp(9) + 1), OodScoreHead.Energy(logits.AsSpan(0, 2)), 12);
    }

    [Fact]
    public void Fit_IsDeterministic()
    {
        var rng = new Rng(4);
        var x = new float[200 * 9];
        rng.NextFloats(x);
        var labels = Enumerable.Range(0, 200).Select(i => i % 4).ToArray();

        var a = ClassMahalanobis.Fit(x, labels, 4);
        var b = ClassMahalanobis.Fit(x, labels, 4);

        Assert.Equal(a.Whitening, b.Whitening);
        Assert.Equal(a.WhitenedMeans, b.WhitenedMeans);
    }

    [Fact]
    public void Fit_Throws_GivenALabelOutsideTheClasses()
    {
        var e = Assert.Throws<ArgumentException>(() => ClassMahalanobis.Fit(new float[4 * 2], [0, 1, 3, 0], 3));
        Assert.Contains("Label 3 of row 2 is outside 0..2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromInitializers_ReadsBackWhatWasStored_AndNullWhenAbsent()
    {
        var mahalanobis = ClassMahalanobis.Fit(new float[] { 1, 2, 3, 5, 2, 1, 0, 4 }, [0, 1, 0, 1], 2);
        var head = new OodScoreHead(mahalanobis, 0.5, 1.5, 0.125, -2, 0.75);
        var names = OodScoreHead.InitializerNames.All;
        var stored = new Dictionary<string, Tensor>
        {
            ["m/" + names[0]] = new(mahalanobis.Whitening, 2, 2),
            ["m/" + names[1]] = new(mahalanobis.WhitenedMeans, 2, 2),
            ["m/" + names[2]] = new([-head.EnergyScale], 1),
            ["m/" + names[3]] = new([head.EnergyShift], 1),
            ["m/" + names[4]] = new([head.DistanceScale], 1),
            ["m/" + names[5]] = new([head.DistanceShift], 1),
            ["m/" + names[6]] = new([head.Threshold], 1),
        };

        var read = OodScoreHead.FromInitializers(stored, "m/")!;

        Assert.Equal(mahalanobis.Whitening, read.Mahalanobis.Whitening);
        Assert.Equal((head.EnergyScale, head.EnergyShift, head.DistanceScale, head.DistanceShift, head.Threshold),
            (read.EnergyScale, read.EnergyShift, read.DistanceScale, read.DistanceShift, read.Threshold));
        Assert.Null(OodScoreHead.FromInitializers(stored, ""));
        stored.Remove("m/" + names[1]);
        Assert.Throws<InvalidDataException>(() => OodScoreHead.FromInitializers(stored, "m/"));
    }
}
