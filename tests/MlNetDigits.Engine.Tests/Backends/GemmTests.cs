using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Backends;

public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Sizes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        int[][] sizes = [[1, 1, 1], [1, 256, 800], [1, 37, 5], [1, 10, 256], [1, 19, 600], [1, 3, 8], [7, 5, 3], [6, 16, 1], [13, 17, 19], [37, 3, 129], [121, 33, 257], [5, 300, 31], [200, 7, 64], [64, 2049 + 17, 9]];
        foreach (var s in sizes)
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    data.Add(s[0], s[1], s[2], ta, tb);
        return data;
    }

    private static (float[] A, int Lda, float[] B, int Ldb, float[] C, int Ldc) Operands(int m, int n, int k, bool ta, bool tb, int pad, ulong seed)
    {
        var rng = new Rng(seed);
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        var a = TestData.Random(rng, aRows * lda).Data;
        var b = TestData.Random(rng, bRows * ldb).Data;
        var c = TestData.Random(rng, m * ldc).Data;
        return (a, lda, b, ldb, c, ldc);
    }

    private static void CheckAgainstNaive(IKernels kernels, int m, int n, int k, bool ta, bool tb, float alpha, float beta, int pad)
    {
        var (a, lda, b, ldb, c, ldc) = Operands(m, n, k, ta, tb, pad, (ulong)(m * 7919 + n * 31 + k));
        var expected = (float[])c.Clone();
        TestData.NaiveGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        var result = TestData.On(kernels, c);
        kernels.Gemm(ta, tb, m, n, k, alpha, TestData.On(kernels, a), lda, TestData.On(kernels, b), ldb, beta, result, ldc);
        c = result.ToArray();
        // Float accumulation over k terms of unit-variance products: error grows like sqrt(k) * eps.
        TestData.AssertClose(expected, c, 1e-4, 2e-5 * Math.Sqrt(k) * Math.Abs(alpha), $"{kernels.Kind} gemm m={m} n={n} k={k} ta={ta} tb={tb}");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ManagedGemm_MatchesNaiveReference(int m, int n, int k, bool ta, bool tb)
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        CheckAgainstNaive(kernels, m, n, k, ta, tb, 1f, 0f, 0);
        CheckAgainstNaive(kernels, m, n, k, ta, tb, 0.5f, 1.5f, 3);
    }

    [OpenBlasTheory]
    [MemberData(nameof(Sizes))]
    public void OpenBlasGemm_MatchesNaiveReference(int m, int n, int k, bool ta, bool tb)
    {
        using var kernels = new CpuKernels(BackendKind.OpenBlas, 2);
        CheckAgainstNaive(kernels, m, n, k, ta, tb, 1f, 0f, 0);
        CheckAgainstNaive(kernels, m, n, k, ta, tb, -0.75f, 1f, 5);
    }

    [OpenBlasTheory]
    [MemberData(nameof(Sizes))]
    public void ManagedGemm_AgreesWithOpenBlas(int m, int n, int k, bool ta, bool tb)
    {
        using var managed = new CpuKernels(BackendKind.Managed, 2);
        using var blas = new CpuKernels(BackendKind.OpenBlas, 2);
        var (a, lda, b, ldb, c, ldc) = Operands(m, n, k, ta, tb, 1, 42);
        var c2 = (float[])c.Clone();
        managed.Gemm(ta, tb, m, n, k, 1.25f, a, lda, b, ldb, 0.5f, c, ldc);
        blas.Gemm(ta, tb, m, n, k, 1.25f, a, lda, b, ldb, 0.5f, c2, ldc);
        TestData.AssertClose(c2, c, 1e-4, 3e-5 * Math.Sqrt(k), "managed vs OpenBLAS");
    }

    [Fact]
    public void ManagedGemm_IsBitIdenticalAcrossThreadCounts()
    {
        var (a, lda, b, ldb, c, ldc) = Operands(150, 700, 300, false, true, 0, 9);
        var c1 = (float[])c.Clone();
        var c3 = (float[])c.Clone();
        using (var one = new CpuKernels(BackendKind.Managed, 1))
            one.Gemm(false, true, 150, 700, 300, 1f, a, lda, b, ldb, 0f, c1, ldc);
        using (var three = new CpuKernels(BackendKind.Managed, 3))
            three.Gemm(false, true, 150, 700, 300, 1f, a, lda, b, ldb, 0f, c3, ldc);
        Assert.Equal(c1, c3);
    }

    [FmaTheory]
    [InlineData(37, 600)]   // two KC blocks, a column tail after two 16-wide strips
    [InlineData(256, 800)]  // the "fast" net's first dense layer, B not transposed (its input gradient's shape)
    public void ManagedGemm_OneRow_EqualsThatRowOfALargerProductBitForBit(int n, int k)
    {
        // The unpacked one-row path sums over k in the blocked GEMM's order, so one image gets the same bits as in a batch.
        var (a, lda, b, ldb, c, ldc) = Operands(7, n, k, false, false, 0, 5);
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        var one = c.AsSpan(0, n).ToArray();
        kernels.Gemm(false, false, 7, n, k, 0.75f, a, lda, b, ldb, 0.5f, c, ldc);
        kernels.Gemm(false, false, 1, n, k, 0.75f, a, lda, b, ldb, 0.5f, one, ldc);
        Assert.Equal(c.AsSpan(0, n).ToArray(), one);
    }

    [OpenBlasTheory]
    [InlineData(150, 700, 300, false, true)]   // split into column blocks
    [InlineData(700, 150, 300, true, false)]   // split into row blocks
    public void OpenBlasGemm_SplitAcrossThePool_IsRepeatableAndAgreesAcrossThreadCounts(int m, int n, int k, bool ta, bool tb)
    {
        // The blocks go to whichever thread claims them, but each block is one fixed OpenBLAS call: the same thread count
        // gives the same bits. Another thread count cuts other blocks, whose edges OpenBLAS may sum in another order.
        var (a, lda, b, ldb, c, ldc) = Operands(m, n, k, ta, tb, 3, 11);
        float[] Run(int threads)
        {
            var result = (float[])c.Clone();
            using var kernels = new CpuKernels(BackendKind.OpenBlas, threads);
            kernels.Gemm(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, result, ldc);
            return result;
        }
        var first = Run(3);
        for (int i = 0; i < 5; i++)
            Assert.Equal(first, Run(3));
        TestData.AssertClose(Run(1), first, 1e-5, 1e-4, "1 vs 3 threads");
    }

    [Fact]
    public void Gemm_ThrowsWhenABufferIsTooSmall()
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 1);
        var ex = Assert.Throws<ArgumentException>(() => kernels.Gemm(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("A is (4, 4)", ex.Message);
    }

    [Fact]
    public void UndefinedBackendKind_Throws()
    {
        // Otherwise an out-of-range kind would run the managed GEMM while claiming another backend.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CpuKernels((BackendKind)7, 1));
        Assert.Contains("Auto, Managed or OpenBlas", e.Message);
    }

    [Fact]
    public void Description_NamesTheBackendAndThreads()
    {
        using var managed = new CpuKernels(BackendKind.Managed, 3);
        Assert.Equal(BackendKind.Managed, managed.Kind);
        Assert.Contains("managed", managed.Description);
        Assert.Contains("3 thread", managed.Description);
        using var auto = new CpuKernels(BackendKind.Auto, 1);
        Assert.Equal(Kernels.OpenBlasAvailable ? BackendKind.OpenBlas : BackendKind.Managed, auto.Kind);
    }
}
