using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetDigits.Engine.Backends;

/// <summary>
/// A cache-blocked single-precision GEMM in the Goto/BLIS style: op(B) is packed into KC x NC panels of
/// <see cref="NR"/>-wide strips, op(A) into MC x KC panels of <see cref="MR"/>-tall strips, and a 6 x 16 register-tile
/// micro-kernel (12 Vector256 accumulators, FMA) multiplies them. Every element of C sums over k in the same order
/// whatever the thread split, so results do not depend on the thread count.
/// </summary>
internal sealed unsafe class ManagedGemm : IParallelJob
{
    public const int MR = 6, NR = 16, KC = 256, MC = 120, NC = 2048;

    private readonly WorkerPool _pool;
    private readonly float[][] _packA;   // per worker: MC x KC
    private readonly float[][] _packB;   // per worker: KC x NC

    // The current call's arguments (a job runs one call at a time).
    private bool _transA, _transB, _splitN;
    private int _m, _n, _k, _lda, _ldb, _ldc;
    private float _alpha, _beta;
    private float* _a, _b, _c;

    public ManagedGemm(WorkerPool pool)
    {
        _pool = pool;
        _packA = new float[pool.Threads][];
        _packB = new float[pool.Threads][];
    }

    /// <summary>Row-major C(m, n) = alpha op(A)(m, k) op(B)(k, n) + beta C, split over the pool's threads.</summary>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0)
            return;
        (_transA, _transB, _m, _n, _k, _alpha, _lda, _ldb, _beta, _ldc) = (transA, transB, m, n, k, alpha, lda, ldb, beta, ldc);
        _a = a;
        _b = b;
        _c = c;
        long work = (long)m * n * Math.Max(k, 1);
        int threads = work < 64 * 64 * 64 ? 1 : _pool.Threads;
        // Split the larger of the two output dimensions into whole micro-tiles.
        _splitN = n / NR >= m / MR;
        int tiles = _splitN ? (n + NR - 1) / NR : (m + MR - 1) / MR;
        _pool.Run(this, tiles, threads);
    }

    /// <summary>A single-threaded GEMM on worker <paramref name="worker"/>'s packing buffers, for use inside another parallel job.</summary>
    public void SerialOnWorker(int worker, bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        var packA = _packA[worker] ??= new float[MC * KC];
        var packB = _packB[worker] ??= new float[KC * NC];
        fixed (float* pa = packA, pb = packB)
            Serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pa, pb);
    }

    void IParallelJob.Execute(int worker, int chunk, int start, int end)
    {
        var packA = _packA[worker] ??= new float[MC * KC];
        var packB = _packB[worker] ??= new float[KC * NC];
        fixed (float* pa = packA, pb = packB)
        {
            if (_splitN)
            {
                int j0 = start * NR, j1 = Math.Min(end * NR, _n);
                if (j1 > j0)
                    Serial(_transA, _transB, _m, j1 - j0, _k, _alpha, _a, _lda, _transB ? _b + (long)j0 * _ldb : _b + j0, _ldb, _beta, _c + j0, _ldc, pa, pb);
            }
            else
            {
                int i0 = start * MR, i1 = Math.Min(end * MR, _m);
                if (i1 > i0)
                    Serial(_transA, _transB, i1 - i0, _n, _k, _alpha, _transA ? _a + i0 : _a + (long)i0 * _lda, _lda, _b, _ldb, _beta, _c + (long)i0 * _ldc, _ldc, pa, pb);
            }
        }
    }

    /// <summary>The single-threaded blocked GEMM on one block of C.</summary>
    private static void Serial(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, float* packA, float* packB)
    {
        // C = beta C first, so the micro-kernel only ever accumulates.
        for (int i = 0; i < m; i++)
            ScaleRow(c + (long)i * ldc, n, beta);
        if (k == 0 || alpha == 0f)
            return;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                PackB(transB, b, ldb, pc, jc, kc, nc, packB);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(transA, a, lda, ic, pc, mc, kc, packA);
                    for (int jr = 0; jr < nc; jr += NR)
                        for (int ir = 0; ir < mc; ir += MR)
                            MicroKernel(kc, packA + ir * kc, packB + jr * kc, c + (long)(ic + ir) * ldc + jc + jr, ldc,
                                Math.Min(MR, mc - ir), Math.Min(NR, nc - jr), alpha);
                }
            }
        }
    }

    /// <summary>
    /// One row times a matrix without packing (a single image through a dense layer): c(1, n) = alpha a(1, k) op(B) + beta c,
    /// a's elements contiguous. Packing B would move every element of it once, which costs more than the product.
    /// With B (k, n) each element sums over k in the blocked GEMM's order, so it equals that row of a larger product bit for
    /// bit; with B^T ((n, k) stored row-major) each element is a vectorised dot product of two contiguous rows, which sums in
    /// another order (within rounding of the GEMM, as OpenBLAS's sgemv is).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowTimesMatrix(bool transB, int n, int k, float alpha, float* a, float* b, int ldb, float beta, float* c)
    {
        ScaleRow(c, n, beta);
        if (k == 0 || alpha == 0f)
            return;
        if (transB)
            RowTimesTransposed(n, k, alpha, a, b, ldb, c);
        else
            for (int pc = 0; pc < k; pc += KC)
                RowTimesBlock(n, Math.Min(KC, k - pc), alpha, a + pc, b + (long)pc * ldb, ldb, c);
    }

    // row = beta row, with beta 0 clearing it (so NaN or infinity already there does not survive) and beta 1 leaving it.
    private static void ScaleRow(float* row, int n, float beta)
    {
        var span = new Span<float>(row, n);
        if (beta == 0f)
            span.Clear();
        else if (beta != 1f)
            System.Numerics.Tensors.TensorPrimitives.Multiply(span, beta, span);
    }

    // c[j] += alpha dot(a, B[j, :]) for the n rows of B, four rows at a time so each load of a serves four products.
    private static void RowTimesTransposed(int n, int k, float alpha, float* a, float* b, int ldb, float* c)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + (long)j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                var av = Vector256.Load(a + p);
                s0 = Fmadd(av, Vector256.Load(b0 + p), s0);
                s1 = Fmadd(av, Vector256.Load(b1 + p), s1);
                s2 = Fmadd(av, Vector256.Load(b2 + p), s2);
                s3 = Fmadd(av, Vector256.Load(b3 + p), s3);
            }
            float d0 = Vector256.Sum(s0), d1 = Vector256.Sum(s1), d2 = Vector256.Sum(s2), d3 = Vector256.Sum(s3);
            for (; p < k; p++)
            {
                d0 = MathF.FusedMultiplyAdd(a[p], b0[p], d0);
                d1 = MathF.FusedMultiplyAdd(a[p], b1[p], d1);
                d2 = MathF.FusedMultiplyAdd(a[p], b2[p], d2);
                d3 = MathF.FusedMultiplyAdd(a[p], b3[p], d3);
            }
            c[j] = MathF.FusedMultiplyAdd(alpha, d0, c[j]);
            c[j + 1] = MathF.FusedMultiplyAdd(alpha, d1, c[j + 1]);
            c[j + 2] = MathF.FusedMultiplyAdd(alpha, d2, c[j + 2]);
            c[j + 3] = MathF.FusedMultiplyAdd(alpha, d3, c[j + 3]);
        }
        for (; j < n; j++)
        {
            float* bj = b + (long)j * ldb;
            Vector256<float> s = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
                s = Fmadd(Vector256.Load(a + p), Vector256.Load(bj + p), s);
            float d = Vector256.Sum(s);
            for (; p < k; p++)
                d = MathF.FusedMultiplyAdd(a[p], bj[p], d);
            c[j] = MathF.FusedMultiplyAdd(alpha, d, c[j]);
        }
    }

    // One KC block of k: c[j] += alpha sum_p a[p] B[p, j], summed from p = 0 up as the micro-kernel does, 16 columns in
    // registers at a time.
    private static void RowTimesBlock(int n, int kc, float alpha, float* a, float* b, int ldb, float* c)
    {
        var al = Vector256.Create(alpha);
        int j = 0;
        for (; j + NR <= n; j += NR)
        {
            Vector256<float> lo = default, hi = default;
            float* bj = b + j;
            for (int p = 0; p < kc; p++)
            {
                var av = Vector256.Create(a[p]);
                lo = Fmadd(av, Vector256.Load(bj + (long)p * ldb), lo);
                hi = Fmadd(av, Vector256.Load(bj + (long)p * ldb + 8), hi);
            }
            Update(c + j, lo, hi, al);
        }
        for (; j < n; j++)
        {
            float acc = 0f;
            for (int p = 0; p < kc; p++)
                acc = MathF.FusedMultiplyAdd(a[p], b[(long)p * ldb + j], acc);
            c[j] = MathF.FusedMultiplyAdd(alpha, acc, c[j]);
        }
    }

    // packA: ceil(mc / MR) strips, each (kc, MR): strip s holds rows ic + s*MR .. +MR, zero-padded past m.
    private static void PackA(bool transA, float* a, int lda, int ic, int pc, int mc, int kc, float* dst)
    {
        for (int s = 0; s < mc; s += MR)
        {
            int rows = Math.Min(MR, mc - s);
            float* strip = dst + s * kc;
            for (int r = 0; r < MR; r++)
            {
                if (r >= rows)
                {
                    for (int p = 0; p < kc; p++)
                        strip[p * MR + r] = 0f;
                    continue;
                }
                int i = ic + s + r;
                if (!transA)
                {
                    float* src = a + (long)i * lda + pc;
                    for (int p = 0; p < kc; p++)
                        strip[p * MR + r] = src[p];
                }
                else
                {
                    float* src = a + (long)pc * lda + i;
                    for (int p = 0; p < kc; p++)
                        strip[p * MR + r] = src[(long)p * lda];
                }
            }
        }
    }

    // packB: ceil(nc / NR) strips, each (kc, NR): strip s holds columns jc + s*NR .. +NR, zero-padded past n.
    private static void PackB(bool transB, float* b, int ldb, int pc, int jc, int kc, int nc, float* dst)
    {
        for (int s = 0; s < nc; s += NR)
        {
            int cols = Math.Min(NR, nc - s);
            float* strip = dst + s * kc;
            if (!transB)
            {
                float* src = b + (long)pc * ldb + jc + s;
                if (cols == NR)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Vector256.Store(Vector256.Load(src + (long)p * ldb), strip + p * NR);
                        Vector256.Store(Vector256.Load(src + (long)p * ldb + 8), strip + p * NR + 8);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                        for (int j = 0; j < NR; j++)
                            strip[p * NR + j] = j < cols ? src[(long)p * ldb + j] : 0f;
                }
            }
            else
            {
                for (int j = 0; j < NR; j++)
                {
                    if (j >= cols)
                    {
                        for (int p = 0; p < kc; p++)
                            strip[p * NR + j] = 0f;
                        continue;
                    }
                    float* src = b + (long)(jc + s + j) * ldb + pc;
                    for (int p = 0; p < kc; p++)
                        strip[p * NR + j] = src[p];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fmadd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : Vector256.Add(Vector256.Multiply(a, b), c);

    // C(mr, nr) += alpha * A-strip(kc, MR)^T B-strip(kc, NR), accumulated in 12 registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(int kc, float* a, float* b, float* c, int ldc, int mr, int nr, float alpha)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]); c00 = Fmadd(av, b0, c00); c01 = Fmadd(av, b1, c01);
            av = Vector256.Create(a[1]); c10 = Fmadd(av, b0, c10); c11 = Fmadd(av, b1, c11);
            av = Vector256.Create(a[2]); c20 = Fmadd(av, b0, c20); c21 = Fmadd(av, b1, c21);
            av = Vector256.Create(a[3]); c30 = Fmadd(av, b0, c30); c31 = Fmadd(av, b1, c31);
            av = Vector256.Create(a[4]); c40 = Fmadd(av, b0, c40); c41 = Fmadd(av, b1, c41);
            av = Vector256.Create(a[5]); c50 = Fmadd(av, b0, c50); c51 = Fmadd(av, b1, c51);
            a += MR;
            b += NR;
        }
        var al = Vector256.Create(alpha);
        if (mr == MR && nr == NR)
        {
            Update(c, c00, c01, al); Update(c + ldc, c10, c11, al); Update(c + 2 * ldc, c20, c21, al);
            Update(c + 3 * ldc, c30, c31, al); Update(c + 4 * ldc, c40, c41, al); Update(c + 5 * ldc, c50, c51, al);
            return;
        }
        // Edge tile: spill to a stack tile, then add the valid part.
        float* tile = stackalloc float[MR * NR];
        Vector256.Store(c00, tile); Vector256.Store(c01, tile + 8);
        Vector256.Store(c10, tile + 16); Vector256.Store(c11, tile + 24);
        Vector256.Store(c20, tile + 32); Vector256.Store(c21, tile + 40);
        Vector256.Store(c30, tile + 48); Vector256.Store(c31, tile + 56);
        Vector256.Store(c40, tile + 64); Vector256.Store(c41, tile + 72);
        Vector256.Store(c50, tile + 80); Vector256.Store(c51, tile + 88);
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < nr; j++)
                c[(long)i * ldc + j] = MathF.FusedMultiplyAdd(alpha, tile[i * NR + j], c[(long)i * ldc + j]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> lo, Vector256<float> hi, Vector256<float> alpha)
    {
        Vector256.Store(Fmadd(alpha, lo, Vector256.Load(c)), c);
        Vector256.Store(Fmadd(alpha, hi, Vector256.Load(c + 8)), c + 8);
    }
}
