namespace MlNetDigits.Bench.Numbers;

/// <summary>
/// Binary logistic regression fitted by Newton's method (iteratively reweighted least squares) with a small L2 penalty on
/// the weights (not the bias): p(y = 1 | x) = sigmoid(b + w . x).
/// </summary>
internal static class LogisticRegression
{
    /// <summary>The bias and weights for <paramref name="features"/> (n rows of d values) and 0/1 <paramref name="labels"/>.</summary>
    public static (double Bias, double[] Weights) Fit(IReadOnlyList<float[]> features, IReadOnlyList<bool> labels, double l2 = 1e-3, int iterations = 50)
    {
        int n = features.Count, d = features[0].Length, k = d + 1;
        var theta = new double[k]; // theta[0]: bias
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            // gradient: (k), hessian: (k, k) of the penalised negative log-likelihood
            var gradient = new double[k];
            var hessian = new double[k, k];
            for (int i = 0; i < n; i++)
            {
                var x = Row(features[i]);
                double z = 0;
                for (int a = 0; a < k; a++)
                    z += theta[a] * x[a];
                double p = 1 / (1 + Math.Exp(-z)), r = p - (labels[i] ? 1 : 0), s = Math.Max(p * (1 - p), 1e-9);
                for (int a = 0; a < k; a++)
                {
                    gradient[a] += r * x[a];
                    for (int b = 0; b < k; b++)
                        hessian[a, b] += s * x[a] * x[b];
                }
            }
            for (int a = 1; a < k; a++)
            {
                gradient[a] += l2 * n * theta[a];
                hessian[a, a] += l2 * n;
            }
            var step = Solve(hessian, gradient);
            double largest = 0;
            for (int a = 0; a < k; a++)
            {
                theta[a] -= step[a];
                largest = Math.Max(largest, Math.Abs(step[a]));
            }
            if (largest < 1e-9)
                break;
        }
        return (theta[0], theta[1..]);
    }

    private static double[] Row(float[] features)
    {
        var x = new double[features.Length + 1];
        x[0] = 1;
        for (int j = 0; j < features.Length; j++)
            x[j + 1] = features[j];
        return x;
    }

    /// <summary>Solves a x = b by Gaussian elimination with partial pivoting (a is small and positive definite here).</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++)
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                    pivot = r;
            for (int j = 0; j < n; j++)
                (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int j = c; j < n; j++)
                    m[r, j] -= f * m[c, j];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            for (int j = r + 1; j < n; j++)
                x[r] -= m[r, j] * x[j];
            x[r] /= m[r, r];
        }
        return x;
    }
}
