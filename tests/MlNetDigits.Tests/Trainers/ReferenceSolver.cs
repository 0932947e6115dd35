namespace MlNetDigits.Tests.Trainers;

/// <summary>
/// Full-batch gradient descent in double precision on a regularised linear multiclass objective,
/// 1/n sum_i loss_i + lambda/2 (|W|^2 + |b|^2): the independent reference the SDCA tests compare against.
/// </summary>
public static class ReferenceSolver
{
    public enum Loss
    {
        /// <summary>-log softmax(s)_y (multinomial logistic regression).</summary>
        Multinomial,

        /// <summary>sum_{c != y} log(1 + exp(s_c - s_y)) (ML.NET's SDCA multiclass loss).</summary>
        Pairwise,
    }

    /// <summary>Returns W (classes, features) and b (classes) at the optimum (gradient norm below 1e-10).</summary>
    public static (double[] W, double[] B) Solve(float[] x, int[] y, int features, int classes, double lambda, Loss loss)
    {
        int n = y.Length;
        var w = new double[classes * features];
        var b = new double[classes];
        var gw = new double[w.Length];
        var gb = new double[classes];
        var ds = new double[classes];
        double maxNorm = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = 1;
            for (int j = 0; j < features; j++)
                norm += (double)x[i * features + j] * x[i * features + j];
            maxNorm = Math.Max(maxNorm, norm);
        }
        // A Lipschitz bound of the gradient: the loss's curvature in the scores times the largest |(x, 1)|^2.
        double rate = 1 / (0.5 * classes * maxNorm + lambda);
        double gradientNorm = double.PositiveInfinity;
        for (int iteration = 0; iteration < 200_000 && gradientNorm > 1e-10; iteration++)
        {
            Array.Clear(gw);
            Array.Clear(gb);
            for (int i = 0; i < n; i++)
            {
                var s = Probabilities(x.AsSpan(i * features, features), w, b, features, classes, raw: true);
                ScoreGradient(s, y[i], loss, ds);
                for (int c = 0; c < classes; c++)
                {
                    gb[c] += ds[c] / n;
                    for (int j = 0; j < features; j++)
                        gw[c * features + j] += ds[c] * x[i * features + j] / n;
                }
            }
            gradientNorm = 0;
            for (int k = 0; k < w.Length; k++)
            {
                gw[k] += lambda * w[k];
                gradientNorm += gw[k] * gw[k];
                w[k] -= rate * gw[k];
            }
            for (int c = 0; c < classes; c++)
            {
                gb[c] += lambda * b[c];
                gradientNorm += gb[c] * gb[c];
                b[c] -= rate * gb[c];
            }
            gradientNorm = Math.Sqrt(gradientNorm);
        }
        if (gradientNorm > 1e-10)
            throw new InvalidOperationException($"The reference solver did not converge (gradient norm {gradientNorm:G3}).");
        return (w, b);
    }

    /// <summary>softmax(W x + b), or the raw scores W x + b when <paramref name="raw"/> is set.</summary>
    public static double[] Probabilities(ReadOnlySpan<float> x, double[] w, double[] b, int features, int classes, bool raw = false)
    {
        var s = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            s[c] = b[c];
            for (int j = 0; j < features; j++)
                s[c] += w[c * features + j] * x[j];
        }
        if (raw)
            return s;
        var max = s.Max();
        var sum = 0.0;
        for (int c = 0; c < classes; c++)
            sum += s[c] = Math.Exp(s[c] - max);
        for (int c = 0; c < classes; c++)
            s[c] /= sum;
        return s;
    }

    private static void ScoreGradient(double[] s, int y, Loss loss, double[] ds)
    {
        if (loss == Loss.Multinomial)
        {
            var max = s.Max();
            var sum = s.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < s.Length; c++)
                ds[c] = Math.Exp(s[c] - max) / sum - (c == y ? 1 : 0);
            return;
        }
        ds[y] = 0;
        for (int c = 0; c < s.Length; c++)
        {
            if (c == y)
                continue;
            var g = 1 / (1 + Math.Exp(s[y] - s[c])); // d/ds_c log(1 + exp(s_c - s_y))
            ds[c] = g;
            ds[y] -= g;
        }
    }
}
