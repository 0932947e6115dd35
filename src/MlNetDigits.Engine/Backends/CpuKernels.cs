using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetDigits.Engine.Backends;

/// <summary>
/// The CPU backend: GEMM through OpenBLAS or <see cref="ManagedGemm"/>, and the convolution/pooling loops split over
/// images (or image planes) across a fixed <see cref="WorkerPool"/>. Each image is handled by one thread, so results
/// are the same for every thread count except where OpenBLAS itself splits a GEMM.
/// </summary>
public sealed unsafe partial class CpuKernels : IKernels, IDisposable
{
    private readonly WorkerPool _pool;
    private readonly ManagedGemm _managed;
    private readonly LoopJob _job = new();

    /// <summary>GEMMs with m * n * k below this run single-threaded on the calling thread.</summary>
    internal long SmallGemm { get; set; } = 1 << 18;

    /// <summary>Creates a backend using <paramref name="kind"/> (Auto resolves to OpenBLAS when it loads) on <paramref name="threads"/> threads (0 = all cores).</summary>
    public CpuKernels(BackendKind kind = BackendKind.Auto, int threads = 0)
    {
        if (threads < 0)
            throw new ArgumentOutOfRangeException(nameof(threads), $"Thread count must be 0 (all cores) or positive; got {threads}.");
        if (!Enum.IsDefined(kind) || kind == BackendKind.Gpu)
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A CPU backend is Auto, Managed or OpenBlas; create the GPU backend with Kernels.Create(BackendKind.Gpu).");
        if (kind == BackendKind.OpenBlas && !OpenBlas.IsAvailable)
            throw new BackendUnavailableException("The OpenBLAS backend was requested but libopenblas.so.0 could not be loaded. " +
                "Install it (Debian: apt-get install libopenblas0-pthread) or choose BackendKind.Managed.");
        Kind = kind == BackendKind.Auto ? (OpenBlas.IsAvailable ? BackendKind.OpenBlas : BackendKind.Managed) : kind;
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _pool = new WorkerPool(Threads);
        _managed = new ManagedGemm(_pool);
    }

    public BackendKind Kind { get; }

    public int Threads { get; }

    public string Description => Kind == BackendKind.OpenBlas
        ? $"OpenBLAS GEMM ({OpenBlas.LibraryName}; {OpenBlas.Config.Trim()}), {Threads} thread(s)"
        : $"managed GEMM (Vector256{(System.Runtime.Intrinsics.X86.Fma.IsSupported ? "+FMA" : "")}, {ManagedGemm.MR}x{ManagedGemm.NR} micro-kernel), {Threads} thread(s)";

    public override string ToString() => Description;

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckGemm(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (Kind == BackendKind.OpenBlas)
            {
                // OpenBLAS always runs single-threaded; a large product is split into column (or row) blocks across our own
                // pool. With OpenBLAS's threads, its idle helper kept spinning (for about 2^28 cycles) into the next
                // convolution and took a core from our workers: a "fast" epoch ran 10-15 % slower. Small products
                // (single-image inference, the last dense layer) run on the calling thread: waking threads costs more
                // than the arithmetic.
                OpenBlas.UseThreads(1);
                lda = Math.Max(lda, 1);
                ldb = Math.Max(ldb, 1);
                ldc = Math.Max(ldc, 1);
                if ((long)m * n * k < SmallGemm || Threads == 1)
                    OpenBlas.Gemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                else
                {
                    _gemm.Set(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                    _pool.Run(_gemm, _gemm.Blocks(Threads));
                }
            }
            else if (m == 1 && !transA)
            {
                ManagedGemm.RowTimesMatrix(transB, n, k, alpha, pa, pb, ldb, beta, pc);
            }
            else if ((long)m * n * k < SmallGemm)
            {
                _managed.SerialOnWorker(0, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
            else
            {
                _managed.Gemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
        }
    }

    private readonly SplitGemmJob _gemm = new();

    /// <summary>
    /// One single-threaded OpenBLAS product per block of C's columns (or rows, when C is taller than wide), blocks a
    /// multiple of 16 wide. Each element of C is computed by one call in the order OpenBLAS uses for any block, so the
    /// result does not depend on the split.
    /// </summary>
    private sealed class SplitGemmJob : IParallelJob
    {
        private bool _transA, _transB, _byColumns;
        private int _m, _n, _k, _lda, _ldb, _ldc, _block;
        private float _alpha, _beta;
        private float* _a, _b, _c;

        public void Set(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        {
            (_transA, _transB, _m, _n, _k, _alpha, _lda, _ldb, _beta, _ldc) = (transA, transB, m, n, k, alpha, lda, ldb, beta, ldc);
            _a = a;
            _b = b;
            _c = c;
            _byColumns = n >= m;
        }

        /// <summary>The number of blocks for <paramref name="threads"/> threads (the pool hands them out).</summary>
        public int Blocks(int threads)
        {
            int extent = _byColumns ? _n : _m;
            _block = Math.Max(16, (extent + 2 * threads - 1) / (2 * threads) + 15 & ~15);
            return (extent + _block - 1) / _block;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int worker, int chunk, int start, int end)
        {
            for (int blockIndex = start; blockIndex < end; blockIndex++)
            {
                int from = blockIndex * _block;
                if (_byColumns)
                {
                    int width = Math.Min(_block, _n - from);
                    float* b = _transB ? _b + (long)from * _ldb : _b + from;
                    OpenBlas.Gemm(_transA, _transB, _m, width, _k, _alpha, _a, _lda, b, _ldb, _beta, _c + from, _ldc);
                }
                else
                {
                    int height = Math.Min(_block, _m - from);
                    float* a = _transA ? _a + from : _a + (long)from * _lda;
                    OpenBlas.Gemm(_transA, _transB, height, _n, _k, _alpha, a, _lda, _b, _ldb, _beta, _c + (long)from * _ldc, _ldc);
                }
            }
        }
    }

    internal static void CheckGemm(bool transA, bool transB, int m, int n, int k, int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must not be negative: m={m}, n={n}, k={k}.");
        if (m == 0 || n == 0)
            return;
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (k > 0 && (lda < aCols || (long)(aRows - 1) * lda + aCols > aLength))
            throw new ArgumentException($"GEMM: A is ({aRows}, {aCols}) with lda={lda} but holds {aLength} values.");
        if (k > 0 && (ldb < bCols || (long)(bRows - 1) * ldb + bCols > bLength))
            throw new ArgumentException($"GEMM: B is ({bRows}, {bCols}) with ldb={ldb} but holds {bLength} values.");
        if (ldc < n || (long)(m - 1) * ldc + n > cLength)
            throw new ArgumentException($"GEMM: C is ({m}, {n}) with ldc={ldc} but holds {cLength} values.");
    }

    public void Im2Col(ReadOnlySpan<float> input, ConvGeometry g, Span<float> columns)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Im2Col input");
        Require(columns.Length, (long)g.PatchSize * g.Batch * g.OutPlane, "Im2Col columns");
        fixed (float* x = input, cols = columns)
            Run(Op.Im2Col, g.Batch, x, cols, null, g);
    }

    public void Col2Im(ReadOnlySpan<float> columns, ConvGeometry g, Span<float> inputGrad)
    {
        Require(inputGrad.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Col2Im inputGrad");
        Require(columns.Length, (long)g.PatchSize * g.Batch * g.OutPlane, "Col2Im columns");
        fixed (float* cols = columns, dx = inputGrad)
            Run(Op.Col2Im, g.Batch, cols, dx, null, g);
    }

    public void MaxPool2d(ReadOnlySpan<float> input, ConvGeometry g, Span<float> output, Span<int> argmax)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "MaxPool2d input");
        Require(output.Length, (long)g.Batch * g.Channels * g.OutPlane, "MaxPool2d output");
        if (!argmax.IsEmpty)
            Require(argmax.Length, output.Length, "MaxPool2d argmax");
        fixed (float* x = input, y = output)
        fixed (int* idx = argmax)
            Run(Op.MaxPool, g.Batch * g.Channels, x, y, idx, g);
    }

    public void MaxPool2dBackward(ReadOnlySpan<float> outputGrad, ReadOnlySpan<int> argmax, ConvGeometry g, Span<float> inputGrad)
    {
        Require(inputGrad.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "MaxPool2dBackward inputGrad");
        Require(outputGrad.Length, (long)g.Batch * g.Channels * g.OutPlane, "MaxPool2dBackward outputGrad");
        fixed (float* dy = outputGrad, dx = inputGrad)
        fixed (int* idx = argmax)
            Run(Op.MaxPoolBackward, g.Batch * g.Channels, dy, dx, idx, g);
    }

    public void AvgPool2d(ReadOnlySpan<float> input, ConvGeometry g, Span<float> output)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "AvgPool2d input");
        Require(output.Length, (long)g.Batch * g.Channels * g.OutPlane, "AvgPool2d output");
        fixed (float* x = input, y = output)
            Run(Op.AvgPool, g.Batch * g.Channels, x, y, null, g);
    }

    public void AvgPool2dBackward(ReadOnlySpan<float> outputGrad, ConvGeometry g, Span<float> inputGrad)
    {
        Require(inputGrad.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "AvgPool2dBackward inputGrad");
        Require(outputGrad.Length, (long)g.Batch * g.Channels * g.OutPlane, "AvgPool2dBackward outputGrad");
        fixed (float* dy = outputGrad, dx = inputGrad)
            Run(Op.AvgPoolBackward, g.Batch * g.Channels, dy, dx, null, g);
    }

    public void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        Require(y.Length, x.Length, "Relu y");
        fixed (float* px = x, py = y)
            RunElementwise(ElementwiseJob.Kind.Relu, px, null, py, x.Length);
    }

    public void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Require(dy.Length, y.Length, "ReluBackward dy");
        Require(dx.Length, y.Length, "ReluBackward dx");
        fixed (float* py = y, pdy = dy, pdx = dx)
            RunElementwise(ElementwiseJob.Kind.ReluBackward, py, pdy, pdx, y.Length);
    }

    // A large elementwise pass (a batch's activations, megabytes) is split into blocks across the pool: one core alone
    // cannot draw the memory bandwidth of two. Each element is computed the same way whichever thread does it.
    private void RunElementwise(ElementwiseJob.Kind kind, float* a, float* b, float* result, int length)
    {
        _elementwise.Op = kind;
        _elementwise.A = a;
        _elementwise.B = b;
        _elementwise.Result = result;
        _elementwise.Length = length;
        int blocks = (int)(((long)length + ElementwiseJob.Block - 1) / ElementwiseJob.Block);
        _pool.Run(_elementwise, blocks, length < SmallLoop * 4 ? 1 : int.MaxValue);
    }

    private readonly ElementwiseJob _elementwise = new();

    private sealed class ElementwiseJob : IParallelJob
    {
        public const int Block = 1 << 14;

        public enum Kind { Relu, ReluBackward }

        public Kind Op;
        public float* A, B, Result;
        public int Length;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int worker, int chunk, int start, int end)
        {
            long from = (long)start * Block, to = Math.Min((long)end * Block, Length);
            int n = (int)(to - from);
            if (Op == Kind.Relu)
            {
                TensorPrimitives.Max(new ReadOnlySpan<float>(A + from, n), 0f, new Span<float>(Result + from, n));
                return;
            }
            // dx = dy where y > 0, else 0
            float* y = A + from, dy = B + from, dx = Result + from;
            int i = 0;
            for (; i <= n - 8; i += 8)
            {
                var mask = Vector256.GreaterThan(Vector256.Load(y + i), Vector256<float>.Zero);
                Vector256.Store(Vector256.BitwiseAnd(mask, Vector256.Load(dy + i)), dx + i);
            }
            for (; i < n; i++)
                dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    public void AddRowVector(Span<float> matrix, int rows, int cols, ReadOnlySpan<float> vector)
    {
        Require(matrix.Length, (long)rows * cols, "AddRowVector matrix");
        Require(vector.Length, cols, "AddRowVector vector");
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * cols, cols);
            TensorPrimitives.Add(row, vector, row);
        }
    }

    public void AccumulateColumnSums(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sums)
    {
        Require(matrix.Length, (long)rows * cols, "AccumulateColumnSums matrix");
        Require(sums.Length, cols, "AccumulateColumnSums sums");
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(sums, matrix.Slice(r * cols, cols), sums);
    }

    public void AccumulateRowSums(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sums)
    {
        Require(matrix.Length, (long)rows * cols, "AccumulateRowSums matrix");
        Require(sums.Length, rows, "AccumulateRowSums sums");
        for (int r = 0; r < rows; r++)
            sums[r] += TensorPrimitives.Sum(matrix.Slice(r * cols, cols));
    }

    public void Dispose() => _pool.Dispose();

    private static void Require(long actual, long expected, string what)
    {
        if (actual != expected)
            throw new ArgumentException($"{what}: expected {expected} values, got {actual}.");
    }

    private void Run(Op op, int count, float* a, float* b, int* index, ConvGeometry g)
    {
        _job.Op = op;
        _job.A = a;
        _job.B = b;
        _job.Index = index;
        _job.G = g;
        // A small loop (one image's planes at inference) runs on the calling thread: waking a worker costs more than the
        // work. Every plane's result is the same whichever thread computes it.
        long work = (long)count * g.Height * g.Width;
        _pool.Run(_job, count, work < SmallLoop ? 1 : int.MaxValue);
    }

    /// <summary>Input elements below which pooling and im2col loops stay on the calling thread.</summary>
    private const long SmallLoop = 1 << 15;

    // The rows of a small image's im2col matrix are a few vectors long (10 floats for a 12x12 input and a 3x3 kernel),
    // where a library copy or add costs more in its call than in its work; these inline loops do whole vectors, then
    // the rest in pieces of 4, 2 and 1 floats (a 10-float row: one vector and one 8-byte move).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* source, float* destination, int count)
    {
        int i = 0;
        for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
            Vector256.Store(Vector256.Load(source + i), destination + i);
        if (i + 4 <= count)
        {
            Vector128.Store(Vector128.Load(source + i), destination + i);
            i += 4;
        }
        if (i + 2 <= count)
        {
            *(long*)(destination + i) = *(long*)(source + i);
            i += 2;
        }
        if (i < count)
            destination[i] = source[i];
    }

    private enum Op { Im2Col, Col2Im, MaxPool, MaxPoolBackward, AvgPool, AvgPoolBackward }

    /// <summary>The per-image (or per-plane) loops; A is the source, B the destination.</summary>
    private sealed class LoopJob : IParallelJob
    {
        public Op Op;
        public float* A, B;
        public int* Index;
        public ConvGeometry G;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int worker, int chunk, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                switch (Op)
                {
                    case Op.Im2Col: Im2ColImage(i); break;
                    case Op.Col2Im: Col2ImImage(i); break;
                    case Op.MaxPool: MaxPoolPlane(i); break;
                    case Op.MaxPoolBackward: MaxPoolBackwardPlane(i); break;
                    case Op.AvgPool: AvgPoolPlane(i); break;
                    case Op.AvgPoolBackward: AvgPoolBackwardPlane(i); break;
                }
            }
        }

        private void Im2ColImage(int n)
        {
            int plane = G.OutPlane;
            Im2Col(A + (long)n * G.Channels * G.Height * G.Width, G, B + (long)n * plane, (long)G.Batch * plane);
        }

        private void Col2ImImage(int n)
        {
            int plane = G.OutPlane;
            Col2Im(A + (long)n * plane, (long)G.Batch * plane, G, B + (long)n * G.Channels * G.Height * G.Width);
        }

        // x: (C, H, W) of one image -> rows (c, ki, kj) of columns, each row OH * OW values, rows rowStride apart.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Im2Col(float* x, ConvGeometry g, float* columns, long rowStride)
        {
            int oh = g.OutHeight, ow = g.OutWidth;
            if (g.Stride == 1 && g.Padding == 0)
            {
                // Row (c, ki, kj) is the input plane c from (ki, kj) on, oh rows of ow values: no bounds to check.
                for (int row = 0; row < g.PatchSize; row++)
                {
                    int c = row / (g.Kernel * g.Kernel), ki = row / g.Kernel % g.Kernel, kj = row % g.Kernel;
                    float* src = x + ((long)c * g.Height + ki) * g.Width + kj, dst = columns + row * rowStride;
                    for (int y = 0; y < oh; y++, src += g.Width, dst += ow)
                        CopyRow(src, dst, ow);
                }
                return;
            }
            for (int c = 0; c < g.Channels; c++)
                for (int ki = 0; ki < g.Kernel; ki++)
                    for (int kj = 0; kj < g.Kernel; kj++)
                    {
                        int row = (c * g.Kernel + ki) * g.Kernel + kj;
                        float* dst = columns + row * rowStride;
                        float* src = x + (long)c * g.Height * g.Width;
                        for (int y = 0; y < oh; y++)
                        {
                            int iy = y * g.Stride - g.Padding + ki;
                            float* d = dst + y * ow;
                            if ((uint)iy >= (uint)g.Height)
                            {
                                new Span<float>(d, ow).Clear();
                                continue;
                            }
                            float* s = src + iy * g.Width;
                            for (int x0 = 0; x0 < ow; x0++)
                            {
                                int ix = x0 * g.Stride - g.Padding + kj;
                                d[x0] = (uint)ix < (uint)g.Width ? s[ix] : 0f;
                            }
                        }
                    }
        }

        // The adjoint of Im2Col: dx (C, H, W) of one image = the sum of the column entries each pixel was copied to.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Col2Im(float* columns, long rowStride, ConvGeometry g, float* dx)
        {
            int oh = g.OutHeight, ow = g.OutWidth;
            new Span<float>(dx, g.Channels * g.Height * g.Width).Clear();
            if (g.Stride == 1 && g.Padding == 0)
            {
                // Rows in the same order as the general loop below, so each pixel receives its sums in the same order.
                for (int row = 0; row < g.PatchSize; row++)
                {
                    int c = row / (g.Kernel * g.Kernel), ki = row / g.Kernel % g.Kernel, kj = row % g.Kernel;
                    float* src = columns + row * rowStride, dst = dx + ((long)c * g.Height + ki) * g.Width + kj;
                    for (int y = 0; y < oh; y++, src += ow, dst += g.Width)
                        AddRow(src, dst, ow);
                }
                return;
            }
            for (int c = 0; c < g.Channels; c++)
                for (int ki = 0; ki < g.Kernel; ki++)
                    for (int kj = 0; kj < g.Kernel; kj++)
                    {
                        int row = (c * g.Kernel + ki) * g.Kernel + kj;
                        float* src = columns + row * rowStride;
                        float* dst = dx + (long)c * g.Height * g.Width;
                        for (int y = 0; y < oh; y++)
                        {
                            int iy = y * g.Stride - g.Padding + ki;
                            if ((uint)iy >= (uint)g.Height)
                                continue;
                            float* s = src + y * ow;
                            float* d = dst + iy * g.Width;
                            for (int x0 = 0; x0 < ow; x0++)
                            {
                                int ix = x0 * g.Stride - g.Padding + kj;
                                if ((uint)ix < (uint)g.Width)
                                    d[ix] += s[x0];
                            }
                        }
                    }
        }

        // destination[i] += source[i]: the same single additions as TensorPrimitives.Add, so results are unchanged.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddRow(float* source, float* destination, int count)
        {
            int lanes = Vector256<float>.Count, i = 0;
            for (; i <= count - lanes; i += lanes)
                Vector256.Store(Vector256.Load(destination + i) + Vector256.Load(source + i), destination + i);
            if (i + 4 <= count)
            {
                Vector128.Store(Vector128.Load(destination + i) + Vector128.Load(source + i), destination + i);
                i += 4;
            }
            for (; i < count; i++)
                destination[i] += source[i];
        }

        private void MaxPoolPlane(int p)
        {
            var g = G;
            int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.Height * g.Width;
            float* x = A + (long)p * inPlane;
            float* y = B + (long)p * oh * ow;
            int* idx = Index == null ? null : Index + (long)p * oh * ow;
            if (g.Kernel == 2 && g.Stride == 2 && g.Padding == 0)
            {
                if (idx == null)
                    MaxPool2x2ValuesOnly(x, y, oh, ow, g.Width);
                else
                    MaxPool2x2(x, y, idx, oh, ow, g.Width, p * inPlane);
                return;
            }
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float best = float.NegativeInfinity;
                    int bestAt = -1;
                    for (int ki = 0; ki < g.Kernel; ki++)
                    {
                        int iy = oy * g.Stride - g.Padding + ki;
                        if ((uint)iy >= (uint)g.Height)
                            continue;
                        for (int kj = 0; kj < g.Kernel; kj++)
                        {
                            int ix = ox * g.Stride - g.Padding + kj;
                            if ((uint)ix >= (uint)g.Width)
                                continue;
                            float v = x[iy * g.Width + ix];
                            // NaN propagates as in PyTorch; the first maximum wins ties.
                            if (v > best || float.IsNaN(v) || bestAt < 0)
                            {
                                best = v;
                                bestAt = iy * g.Width + ix;
                                if (float.IsNaN(v))
                                    goto found;
                            }
                        }
                    }
                found:
                    y[oy * ow + ox] = best;
                    if (idx != null)
                        idx[oy * ow + ox] = p * inPlane + bestAt;
                }
        }

        // MaxPool2x2 without the indices (inference): the same selections, so the same values, -0/+0 and NaN included.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaxPool2x2ValuesOnly(float* x, float* y, int oh, int ow, int width)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                float* r0 = x + 2 * oy * width;
                float* r1 = r0 + width;
                int ox = 0;
                if (Avx2.IsSupported)
                {
                    for (; ox < ow && ow >= 8; ox += 8)
                    {
                        ox = Math.Min(ox, ow - 8);
                        int c = 2 * ox;
                        Deinterleave(r0 + c, out var e0, out var o0);
                        Deinterleave(r1 + c, out var e1, out var o1);
                        var best = Keep(Keep(Keep(e0, o0), e1), o1);
                        Vector256.Store(best, y + oy * ow + ox);
                    }
                }
                if (Sse.IsSupported)
                {
                    for (; ox < ow && ow >= 4; ox += 4)
                    {
                        ox = Math.Min(ox, ow - 4);
                        int c = 2 * ox;
                        var a0 = Vector128.Load(r0 + c);
                        var a1 = Vector128.Load(r0 + c + 4);
                        var b0 = Vector128.Load(r1 + c);
                        var b1 = Vector128.Load(r1 + c + 4);
                        var best = Keep(Sse.Shuffle(a0, a1, 0b10_00_10_00), Sse.Shuffle(a0, a1, 0b11_01_11_01));
                        best = Keep(Keep(best, Sse.Shuffle(b0, b1, 0b10_00_10_00)), Sse.Shuffle(b0, b1, 0b11_01_11_01));
                        Vector128.Store(best, y + oy * ow + ox);
                    }
                }
                for (; ox < ow; ox++)
                {
                    int c = 2 * ox, at = 0;
                    float best = r0[c];
                    Take(r0[c + 1], 0, ref best, ref at);
                    Take(r1[c], 0, ref best, ref at);
                    Take(r1[c + 1], 0, ref best, ref at);
                    y[oy * ow + ox] = best;
                }
            }
        }

        // best, replaced by v where Take would replace it.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Keep(Vector256<float> best, Vector256<float> v)
        {
            var take = Vector256.BitwiseAnd(Vector256.BitwiseOr(Vector256.GreaterThan(v, best), ~Vector256.Equals(v, v)), Vector256.Equals(best, best));
            return Vector256.ConditionalSelect(take, v, best);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Keep(Vector128<float> best, Vector128<float> v)
        {
            var take = Vector128.BitwiseAnd(Vector128.BitwiseOr(Vector128.GreaterThan(v, best), ~Vector128.Equals(v, v)), Vector128.Equals(best, best));
            return Vector128.ConditionalSelect(take, v, best);
        }

        // The common 2x2 / stride 2 window. Random data defeats branch prediction, so 8 outputs at a time are
        // computed with AVX2 compares and blends; ties keep the first maximum and NaN propagates, as in the general loop.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaxPool2x2(float* x, float* y, int* idx, int oh, int ow, int width, int planeOffset)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                float* r0 = x + 2 * oy * width;
                float* r1 = r0 + width;
                int base0 = planeOffset + 2 * oy * width;
                int ox = 0;
                if (Avx2.IsSupported)
                {
                    var lane = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
                    var one = Vector256.Create(1);
                    var down = Vector256.Create(width);
                    for (; ox < ow && ow >= 8; ox += 8)
                    {
                        ox = Math.Min(ox, ow - 8);   // the last block overlaps the previous one rather than going scalar
                        int c = 2 * ox;
                        Deinterleave(r0 + c, out var e0, out var o0);
                        Deinterleave(r1 + c, out var e1, out var o1);
                        var best = e0;
                        var at = Vector256<int>.Zero;
                        Take(o0, one, ref best, ref at);
                        Take(e1, down, ref best, ref at);
                        Take(o1, down + one, ref best, ref at);
                        Vector256.Store(best, y + oy * ow + ox);
                        Vector256.Store(at + lane + Vector256.Create(base0 + c), idx + oy * ow + ox);
                    }
                }
                if (Sse.IsSupported)
                {
                    var lane = Vector128.Create(0, 2, 4, 6);
                    var one = Vector128.Create(1);
                    var down = Vector128.Create(width);
                    for (; ox < ow && ow >= 4; ox += 4)
                    {
                        ox = Math.Min(ox, ow - 4);
                        int c = 2 * ox;
                        var a0 = Vector128.Load(r0 + c);
                        var a1 = Vector128.Load(r0 + c + 4);
                        var b0 = Vector128.Load(r1 + c);
                        var b1 = Vector128.Load(r1 + c + 4);
                        var best = Sse.Shuffle(a0, a1, 0b10_00_10_00);
                        var at = Vector128<int>.Zero;
                        Take(Sse.Shuffle(a0, a1, 0b11_01_11_01), one, ref best, ref at);
                        Take(Sse.Shuffle(b0, b1, 0b10_00_10_00), down, ref best, ref at);
                        Take(Sse.Shuffle(b0, b1, 0b11_01_11_01), down + one, ref best, ref at);
                        Vector128.Store(best, y + oy * ow + ox);
                        Vector128.Store(at + lane + Vector128.Create(base0 + c), idx + oy * ow + ox);
                    }
                }
                for (; ox < ow; ox++)
                {
                    int c = 2 * ox;
                    float best = r0[c];
                    int at = c;
                    Take(r0[c + 1], c + 1, ref best, ref at);
                    Take(r1[c], width + c, ref best, ref at);
                    Take(r1[c + 1], width + c + 1, ref best, ref at);
                    y[oy * ow + ox] = best;
                    idx[oy * ow + ox] = base0 + at;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(float v, int position, ref float best, ref int at)
        {
            if ((v > best || float.IsNaN(v)) && !float.IsNaN(best))
            {
                best = v;
                at = position;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(Vector256<float> v, Vector256<int> offset, ref Vector256<float> best, ref Vector256<int> at)
        {
            var isNan = Vector256.Equals(best, best);    // true where best is not NaN
            var take = Vector256.BitwiseAnd(Vector256.BitwiseOr(Vector256.GreaterThan(v, best), ~Vector256.Equals(v, v)), isNan);
            best = Vector256.ConditionalSelect(take, v, best);
            at = Vector256.ConditionalSelect(take.AsInt32(), offset, at);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(Vector128<float> v, Vector128<int> offset, ref Vector128<float> best, ref Vector128<int> at)
        {
            var isNan = Vector128.Equals(best, best);    // true where best is not NaN
            var take = Vector128.BitwiseAnd(Vector128.BitwiseOr(Vector128.GreaterThan(v, best), ~Vector128.Equals(v, v)), isNan);
            best = Vector128.ConditionalSelect(take, v, best);
            at = Vector128.ConditionalSelect(take.AsInt32(), offset, at);
        }

        // 16 consecutive floats -> the 8 at even positions and the 8 at odd positions, in order.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Deinterleave(float* p, out Vector256<float> even, out Vector256<float> odd)
        {
            var a = Vector256.Load(p);
            var b = Vector256.Load(p + 8);
            even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
            odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        }

        private void MaxPoolBackwardPlane(int p)
        {
            var g = G;
            int outPlane = g.OutPlane, inPlane = g.Height * g.Width;
            float* dx = B;
            new Span<float>(dx + (long)p * inPlane, inPlane).Clear();
            float* dy = A + (long)p * outPlane;
            int* idx = Index + (long)p * outPlane;
            for (int o = 0; o < outPlane; o++)
                dx[idx[o]] += dy[o];
        }

        private void AvgPoolPlane(int p)
        {
            var g = G;
            int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.Height * g.Width;
            float* x = A + (long)p * inPlane;
            float* y = B + (long)p * oh * ow;
            float scale = 1f / (g.Kernel * g.Kernel);
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float sum = 0f;
                    for (int ki = 0; ki < g.Kernel; ki++)
                    {
                        int iy = oy * g.Stride - g.Padding + ki;
                        if ((uint)iy >= (uint)g.Height)
                            continue;
                        for (int kj = 0; kj < g.Kernel; kj++)
                        {
                            int ix = ox * g.Stride - g.Padding + kj;
                            if ((uint)ix < (uint)g.Width)
                                sum += x[iy * g.Width + ix];
                        }
                    }
                    y[oy * ow + ox] = sum * scale;
                }
        }

        private void AvgPoolBackwardPlane(int p)
        {
            var g = G;
            int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.Height * g.Width;
            float* dx = B + (long)p * inPlane;
            float* dy = A + (long)p * oh * ow;
            new Span<float>(dx, inPlane).Clear();
            float scale = 1f / (g.Kernel * g.Kernel);
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float share = dy[oy * ow + ox] * scale;
                    for (int ki = 0; ki < g.Kernel; ki++)
                    {
                        int iy = oy * g.Stride - g.Padding + ki;
                        if ((uint)iy >= (uint)g.Height)
                            continue;
                        for (int kj = 0; kj < g.Kernel; kj++)
                        {
                            int ix = ox * g.Stride - g.Padding + kj;
                            if ((uint)ix < (uint)g.Width)
                                dx[iy * g.Width + ix] += share;
                        }
                    }
                }
        }
    }
}
