using MlNetDigits.Engine;

namespace MlNetDigits.Tests;

public sealed class TemperatureScalingTests
{
    [Fact]
    public void Fit_RecoversTheTemperatureOfOverconfidentLogits()
    {
        // Labels drawn from softmax(z / 2.5): logits z are 2.5 times too confident, so the fitted T should be near 2.5.
        const int n = 20000, k = 10;
        var rng = new Rng(42);
        var logits = new float[n * k];
        var labels = new int[n];
        var p = new double[k];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
                logits[i * k + c] = (float)(rng.NextGaussian() * 6);
            double sum = 0;
            for (int c = 0; c < k; c++)
                sum += p[c] = Math.Exp(logits[i * k + c] / 2.5);
            double u = rng.NextDouble() * sum;
            int label = 0;
            while (label < k - 1 && (u -= p[label]) > 0)
                label++;
            labels[i] = label;
        }

        double t = TemperatureScaling.Fit(logits, labels, k);

        Assert.InRange(t, 2.3, 2.7);
        double before = TemperatureScaling.ExpectedCalibrationError(logits, labels, k, 1);
        double after = TemperatureScaling.ExpectedCalibrationError(logits, labels, k, t);
        Assert.True(after < before / 3, $"ECE {before} -> {after}");
        Assert.True(TemperatureScaling.NegativeLogLikelihood(logits, labels, k, t) < TemperatureScaling.NegativeLogLikelihood(logits, labels, k, 1));
    }

    [Fact]
    public void NegativeLogLikelihood_MatchesAHandComputedValue()
    {
        float[] logits = [0f, 0f, MathF.Log(2f)]; // probabilities 1/4, 1/4, 1/2
        Assert.Equal(Math.Log(2), TemperatureScaling.NegativeLogLikelihood(logits, [2], 3, 1), 6);
        Assert.Equal(Math.Log(4), TemperatureScaling.NegativeLogLikelihood(logits, [0], 3, 1), 6);
    }
}
