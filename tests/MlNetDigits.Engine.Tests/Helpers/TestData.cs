using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Tests.Helpers;

/// <summary>Seeded random tensors and tolerant comparisons for the engine tests.</summary>
internal static class TestData
{
    public static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
            t.Data[i] = (float)rng.NextGaussian();
        return t;
    }

    /// <summary>A copy of <paramref name="values"/> as a tensor of <paramref name="shape"/> (default: a vector) where <paramref name="kernels"/> keep tensors.</summary>
    public static Tensor On(IKernels kernels, float[] values, params int[] shape)
    {
        var t = Tensor.Zeros(kernels.Device, shape.Length == 0 ? [values.Length] : shape);
        t.CopyFrom(values);
        return t;
    }

    /// <summary>A copy of <paramref name="t"/> where <paramref name="kernels"/> keep tensors.</summary>
    public static Tensor On(IKernels kernels, Tensor t) => On(kernels, t.ToArray(), t.Shape);

    /// <summary>Asserts |actual - expected| &lt;= atol + rtol |expected| elementwise, naming the worst element.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol, double atol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (double.IsNaN(actual[i]) || excess > worst)
            {
                worst = double.IsNaN(actual[i]) ? double.PositiveInfinity : excess;
                worstAt = i;
            }
        }
        Assert.True(worstAt < 0, worstAt < 0 ? "" : $"{what}: element {worstAt} is {actual[worstAt]}, expected {expected[worstAt]} (rtol {rtol}, atol {atol}).");
    }

    public static void AssertClose(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.True(expected.HasShape(actual.Shape), $"{what}: expected shape {expected.ShapeText}, got {actual.ShapeText}.");
        AssertClose(expected.ToArray(), actual.ToArray(), rtol, atol, what);
    }

    /// <summary>C = alpha op(A) op(B) + beta C in double, the reference every GEMM is checked against.</summary>
    public static void NaiveGemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = (float)(alpha * sum + (beta == 0 ? 0 : beta * (double)c[i * ldc + j]));
            }
    }
}
