
namespace MlNetDigits;

/// <summary>
/// Temperature scaling (Guo et al., 2017): probabilities softmax(z / T) with one T > 0 fitted to minimise the negative
/// log-likelihood of held-out labels. T is found by golden-section search over log T in [-3, 3] (T in [0.05, 20]); the
/// NLL is unimodal in log T. It never changes the predicted class.
/// </summary>
public static class TemperatureScaling
{
    /// <summary>The T in [0.05, 20] minimising the mean NLL of <paramref name="logits"/> (N, K) against <paramref name="labels"/>.</summary>
    public static double Fit(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        var z = logits.ToArray();
        var y = labels.ToArray();
        double lo = -3, hi = 3, invPhi = (Math.Sqrt(5) - 1) / 2;
        double a = hi - invPhi * (hi - lo), b = lo + invPhi * (hi - lo);
        double fa = NegativeLogLikelihood(z, y, classes, Math.Exp(a)), fb = NegativeLogLikelihood(z, y, classes, Math.Exp(b));
        for (int i = 0; i < 60; i++)
        {
            if (fa < fb)
            {
                (hi, b, fb) = (b, a, fa);
                a = hi - invPhi * (hi - lo);
                fa = NegativeLogLikelihood(z, y, classes, Math.Exp(a));
            }
            else
            {
                (lo, a, fa) = (a, b, fb);
                b = lo + invPhi * (hi - lo);
                fb = NegativeLogLikelihood(z, y, classes, Math.Exp(b));
            }
        }
        return Math.Exp((lo + hi) / 2);
    }

    /// <summary>The mean of -log softmax(z / T)[label] over the rows of <paramref name="logits"/> (N, K).</summary>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, double temperature)
    {
        double total = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * classes, classes);
            double max = double.NegativeInfinity;
            foreach (var v in row)
                max = Math.Max(max, v / temperature);
            double sum = 0;
            foreach (var v in row)
                sum += Math.Exp(v / temperature - max);
            total += Math.Log(sum) + max - row[labels[i]] / temperature;
        }
        return total / labels.Length;
    }

    /// <summary>The expected calibration error (15 bins, see <see cref="CalibrationMetrics"/>) of softmax(z / T) over the rows of <paramref name="logits"/> (N, K).</summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, double temperature)
    {
        var accumulator = new CalibrationAccumulator();
        var p = new float[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            for (int c = 0; c < classes; c++)
                p[c] = (float)(logits[i * classes + c] / temperature);
            Softmax(p);
            accumulator.Add(p, labels[i]);
        }
        return accumulator.ToMetrics().ExpectedCalibrationError;
    }

    /// <summary>In place: v = exp(v − max v) / Σ exp(v − max v).</summary>
    internal static void Softmax(Span<float> values)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max<float>(values);
        float sum = 0;
        for (int i = 0; i < values.Length; i++)
            sum += values[i] = MathF.Exp(values[i] - max);
        for (int i = 0; i < values.Length; i++)
            values[i] /= sum;
    }
}

/// <summary>
/// The temperature fitted after training and the calibration it bought on the validation images: expected calibration
/// error (15 bins) and negative log-likelihood before (T = 1) and after.
/// </summary>
public sealed record CalibrationResult(
    double Temperature,
    int ValidationCount,
    double ExpectedCalibrationErrorBefore,
    double ExpectedCalibrationErrorAfter,
    double NegativeLogLikelihoodBefore,
    double NegativeLogLikelihoodAfter);
