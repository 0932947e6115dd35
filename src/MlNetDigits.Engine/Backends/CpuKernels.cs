using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MlNetDigits.Engine.Backends;

/// <summary>
/// The CPU backend: GEMM through OpenBLAS or <see cref="ManagedGemm"/>, and the convolution/pooling loops split over
/// images (or image planes) across a fixed <see cref="WorkerPool"/>. Each image is handled by one thread, so results
/// are the same for every thread count except where OpenBLAS itself splits a GEMM.
/// </summary>
public sealed unsafe class CpuKernels : IKernels, IDisposable
{
    private readonly WorkerPool _pool;
    private readonly ManagedGemm _managed;
    private readonly LoopJob _job = new();

    /// <summary>Creates a backend using <paramref name="kind"/> (Auto resolves to OpenBLAS when it loads) on <paramref name="threads"/> threads (0 = all cores).</summary>
    public CpuKernels(BackendKind kind = BackendKind.Auto, int threads = 0)
    {
        if (threads < 0)
            throw new ArgumentOutOfRangeException(nameof(threads), $"Thread count must be 0 (all cores) or positive; got {threads}.");
        if (kind == BackendKind.OpenBlas && !OpenBlas.IsAvailable)
            throw new InvalidOperationException("The OpenBLAS backend was requested but libopenblas.so.0 could not be loaded. " +
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
                OpenBlas.UseThreads(Threads);
                OpenBlas.Gemm(transA, transB, m, n, k, alpha, pa, Math.Max(lda, 1), pb, Math.Max(ldb, 1), beta, pc, Math.Max(ldc, 1));
            }
            else
            {
                _managed.Gemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
        }
    }

    private static void CheckGemm(bool transA, bool transB, int m, int n, int k, int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
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

    public void ChannelMajorToBatch(ReadOnlySpan<float> source, int batch, int channels, int plane, ReadOnlySpan<float> bias, Span<float> output)
    {
        Require(source.Length, (long)batch * channels * plane, "ChannelMajorToBatch source");
        Require(output.Length, (long)batch * channels * plane, "ChannelMajorToBatch output");
        if (!bias.IsEmpty)
            Require(bias.Length, channels, "ChannelMajorToBatch bias");
        fixed (float* src = source, dst = output, b = bias)
        {
            _job.Bias = bias.IsEmpty ? null : b;
            Run(Op.ToBatch, batch, src, dst, null, new ConvGeometry(batch, channels, 1, plane, 1, 1, 0));
        }
    }

    public void BatchToChannelMajor(ReadOnlySpan<float> source, int batch, int channels, int plane, Span<float> output)
    {
        Require(source.Length, (long)batch * channels * plane, "BatchToChannelMajor source");
        Require(output.Length, (long)batch * channels * plane, "BatchToChannelMajor output");
        fixed (float* src = source, dst = output)
            Run(Op.ToChannelMajor, batch, src, dst, null, new ConvGeometry(batch, channels, 1, plane, 1, 1, 0));
    }

    public void MaxPool2d(ReadOnlySpan<float> input, ConvGeometry g, Span<float> output, Span<int> argmax)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "MaxPool2d input");
        Require(output.Length, (long)g.Batch * g.Channels * g.OutPlane, "MaxPool2d output");
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

    public void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    public void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Require(dy.Length, y.Length, "ReluBackward dy");
        Require(dx.Length, y.Length, "ReluBackward dx");
        int i = 0;
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            for (; i <= y.Length - 8; i += 8)
            {
                var mask = Vector256.GreaterThan(Vector256.Load(py + i), Vector256<float>.Zero);
                Vector256.Store(Vector256.BitwiseAnd(mask, Vector256.Load(pdy + i)), pdx + i);
            }
        }
        for (; i < y.Length; i++)
            dx[i] = y[i] > 0f ? dy[i] : 0f;
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
        _pool.Run(_job, count);
    }

    private enum Op { Im2Col, Col2Im, ToBatch, ToChannelMajor, MaxPool, MaxPoolBackward, AvgPool, AvgPoolBackward }

    /// <summary>The per-image (or per-plane) loops; A is the source, B the destination.</summary>
    private sealed class LoopJob : IParallelJob
    {
        public Op Op;
        public float* A, B, Bias;
        public int* Index;
        public ConvGeometry G;

        public void Execute(int worker, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                switch (Op)
                {
                    case Op.Im2Col: Im2ColImage(i); break;
                    case Op.Col2Im: Col2ImImage(i); break;
                    case Op.ToBatch: ToBatchImage(i); break;
                    case Op.ToChannelMajor: ToChannelMajorImage(i); break;
                    case Op.MaxPool: MaxPoolPlane(i); break;
                    case Op.MaxPoolBackward: MaxPoolBackwardPlane(i); break;
                    case Op.AvgPool: AvgPoolPlane(i); break;
                    case Op.AvgPoolBackward: AvgPoolBackwardPlane(i); break;
                }
            }
        }

        // x[n]: (C, H, W) -> columns rows (c, ki, kj), this image's P = OH * OW columns.
        private void Im2ColImage(int n)
        {
            var g = G;
            int oh = g.OutHeight, ow = g.OutWidth, plane = oh * ow;
            long rowStride = (long)g.Batch * plane;
            float* x = A + (long)n * g.Channels * g.Height * g.Width;
            for (int c = 0; c < g.Channels; c++)
                for (int ki = 0; ki < g.Kernel; ki++)
                    for (int kj = 0; kj < g.Kernel; kj++)
                    {
                        int row = (c * g.Kernel + ki) * g.Kernel + kj;
                        float* dst = B + row * rowStride + (long)n * plane;
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
                            if (g.Stride == 1 && g.Padding == 0)
                            {
                                new ReadOnlySpan<float>(s + kj, ow).CopyTo(new Span<float>(d, ow));
                                continue;
                            }
                            for (int x0 = 0; x0 < ow; x0++)
                            {
                                int ix = x0 * g.Stride - g.Padding + kj;
                                d[x0] = (uint)ix < (uint)g.Width ? s[ix] : 0f;
                            }
                        }
                    }
        }

        private void Col2ImImage(int n)
        {
            var g = G;
            int oh = g.OutHeight, ow = g.OutWidth, plane = oh * ow;
            long rowStride = (long)g.Batch * plane;
            float* dx = B + (long)n * g.Channels * g.Height * g.Width;
            new Span<float>(dx, g.Channels * g.Height * g.Width).Clear();
            for (int c = 0; c < g.Channels; c++)
                for (int ki = 0; ki < g.Kernel; ki++)
                    for (int kj = 0; kj < g.Kernel; kj++)
                    {
                        int row = (c * g.Kernel + ki) * g.Kernel + kj;
                        float* src = A + row * rowStride + (long)n * plane;
                        float* dst = dx + (long)c * g.Height * g.Width;
                        for (int y = 0; y < oh; y++)
                        {
                            int iy = y * g.Stride - g.Padding + ki;
                            if ((uint)iy >= (uint)g.Height)
                                continue;
                            float* s = src + y * ow;
                            float* d = dst + iy * g.Width;
                            if (g.Stride == 1 && g.Padding == 0)
                            {
                                var span = new Span<float>(d + kj, ow);
                                TensorPrimitives.Add(span, new ReadOnlySpan<float>(s, ow), span);
                                continue;
                            }
                            for (int x0 = 0; x0 < ow; x0++)
                            {
                                int ix = x0 * g.Stride - g.Padding + kj;
                                if ((uint)ix < (uint)g.Width)
                                    d[ix] += s[x0];
                            }
                        }
                    }
        }

        // G encodes (batch, channels, plane) as (Batch, Channels, Width).
        private void ToBatchImage(int n)
        {
            int channels = G.Channels, plane = G.Width;
            long rowStride = (long)G.Batch * plane;
            for (int c = 0; c < channels; c++)
            {
                var src = new ReadOnlySpan<float>(A + c * rowStride + (long)n * plane, plane);
                var dst = new Span<float>(B + ((long)n * channels + c) * plane, plane);
                if (Bias != null)
                    TensorPrimitives.Add(src, Bias[c], dst);
                else
                    src.CopyTo(dst);
            }
        }

        private void ToChannelMajorImage(int n)
        {
            int channels = G.Channels, plane = G.Width;
            long rowStride = (long)G.Batch * plane;
            for (int c = 0; c < channels; c++)
                new ReadOnlySpan<float>(A + ((long)n * channels + c) * plane, plane)
                    .CopyTo(new Span<float>(B + c * rowStride + (long)n * plane, plane));
        }

        private void MaxPoolPlane(int p)
        {
            var g = G;
            int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.Height * g.Width;
            float* x = A + (long)p * inPlane;
            float* y = B + (long)p * oh * ow;
            int* idx = Index + (long)p * oh * ow;
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
                    idx[oy * ow + ox] = p * inPlane + bestAt;
                }
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
