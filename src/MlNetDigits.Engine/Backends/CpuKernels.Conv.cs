using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlNetDigits.Engine.Backends;

// Convolution one image at a time: each image's im2col matrix (C*K*K, OH*OW) stays in cache, and the GEMM
// W (Out, C*K*K) x columns writes the image's (Out, OH*OW) output directly in NCHW. Images are split across threads;
// weight gradients are summed per chunk and the chunk sums added in chunk order, so the result depends only on the
// batch size and thread count.
public sealed unsafe partial class CpuKernels
{
    private readonly ConvJob _conv = new();
    private float[][] _workspace = [];       // per worker: columns (C*K*K, OH*OW) then dColumns, same size
    private float[] _partialWeight = [];     // (chunks, Out, C*K*K)
    private float[] _partialBias = [];       // (chunks, Out)

    /// <summary>output (N, Out, OH, OW) = conv(input (N, C, H, W), weight (Out, C, K, K)) + bias (Out, or empty).</summary>
    public void Conv2dForward(ReadOnlySpan<float> input, ConvGeometry g, ReadOnlySpan<float> weight, int outChannels, ReadOnlySpan<float> bias, Span<float> output)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Conv2dForward input");
        Require(weight.Length, (long)outChannels * g.PatchSize, "Conv2dForward weight");
        Require(output.Length, (long)g.Batch * outChannels * g.OutPlane, "Conv2dForward output");
        if (!bias.IsEmpty)
            Require(bias.Length, outChannels, "Conv2dForward bias");
        if (UsesWinograd(g))
        {
            fixed (float* x = input, w = weight, b = bias, y = output)
                WinogradForward(x, g, w, outChannels, bias.IsEmpty ? null : b, y);
            return;
        }
        PrepareWorkspace(g, outChannels, 0);
        fixed (float* x = input, w = weight, b = bias, y = output)
        {
            _conv.Set(this, backward: false, g, outChannels, x, w, bias.IsEmpty ? null : b, y, null, null, null, 0);
            RunConv(g.Batch);
        }
    }

    /// <summary>
    /// Given outputGrad (N, Out, OH, OW): weightGrad (Out, C, K, K) += dL/dW, biasGrad (Out) += dL/db (when not empty),
    /// inputGrad (N, C, H, W) = dL/dx (overwritten; skipped when empty).
    /// </summary>
    public void Conv2dBackward(ReadOnlySpan<float> input, ConvGeometry g, ReadOnlySpan<float> weight, int outChannels, ReadOnlySpan<float> outputGrad,
        Span<float> weightGrad, Span<float> biasGrad, Span<float> inputGrad)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Conv2dBackward input");
        Require(weight.Length, (long)outChannels * g.PatchSize, "Conv2dBackward weight");
        Require(weightGrad.Length, weight.Length, "Conv2dBackward weightGrad");
        Require(outputGrad.Length, (long)g.Batch * outChannels * g.OutPlane, "Conv2dBackward outputGrad");
        if (!biasGrad.IsEmpty)
            Require(biasGrad.Length, outChannels, "Conv2dBackward biasGrad");
        if (!inputGrad.IsEmpty)
            Require(inputGrad.Length, input.Length, "Conv2dBackward inputGrad");
        if (UsesWinograd(g, backward: true))
        {
            fixed (float* x = input, w = weight, dy = outputGrad, dW = weightGrad, dB = biasGrad, dx = inputGrad)
                WinogradBackward(x, g, w, outChannels, dy, dW, biasGrad.IsEmpty ? null : dB, inputGrad.IsEmpty ? null : dx);
            return;
        }
        int chunks = _pool.ChunkCount(g.Batch);
        PrepareWorkspace(g, outChannels, chunks);
        fixed (float* x = input, w = weight, dy = outputGrad, dx = inputGrad, pw = _partialWeight, pb = _partialBias)
        {
            _conv.Set(this, backward: true, g, outChannels, x, w, null, dy, dx == null || inputGrad.IsEmpty ? null : dx, pw, pb, chunks);
            RunConv(g.Batch);
        }
        // Add the chunk sums in chunk order.
        int wSize = outChannels * g.PatchSize;
        for (int c = 0; c < chunks; c++)
        {
            TensorPrimitives.Add(weightGrad, _partialWeight.AsSpan(c * wSize, wSize), weightGrad);
            if (!biasGrad.IsEmpty)
                TensorPrimitives.Add(biasGrad, _partialBias.AsSpan(c * outChannels, outChannels), biasGrad);
        }
    }

    private void RunConv(int batch)
    {
        if (Kind == BackendKind.OpenBlas)
            OpenBlas.UseThreads(1);   // the threads here are ours; each image's GEMM runs single-threaded
        _pool.Run(_conv, batch);
    }

    private void PrepareWorkspace(ConvGeometry g, int outChannels, int chunks)
    {
        long size = (long)g.PatchSize * g.OutPlane;
        if (_workspace.Length != Threads)
            _workspace = new float[Threads][];
        for (int i = 0; i < Threads; i++)
            if (_workspace[i] is null || _workspace[i].Length < 2 * size)
                _workspace[i] = new float[2 * size];
        if (_partialWeight.Length < (long)chunks * outChannels * g.PatchSize)
            _partialWeight = new float[chunks * outChannels * g.PatchSize];
        if (_partialBias.Length < chunks * outChannels)
            _partialBias = new float[chunks * outChannels];
    }

    private void WorkerGemm(int worker, bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (Kind == BackendKind.OpenBlas)
            OpenBlas.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            _managed.SerialOnWorker(worker, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// Whether the forward pass convolves directly instead of by im2col + GEMM: one input channel (the first layer of an
    /// image net), stride 1, no padding, and output rows of at least one vector. There the GEMM's inner dimension is only
    /// K*K (25 for a 5x5 kernel), too short for the GEMM to run at speed, and the im2col copy costs as much as the product.
    /// </summary>
    internal static bool UsesDirectForward(ConvGeometry g) =>
        g.Channels == 1 && g.Stride == 1 && g.Padding == 0 && g.OutWidth >= Vector256<float>.Count && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// y (Out, OH, OW) = conv(x (1, H, W), w (Out, 1, K, K)) + bias, for four output channels and a strip of three vectors
    /// of one output row at a time: twelve accumulators in registers, and every kernel tap loads the three input vectors
    /// once for all four channels. Strips and channel groups at the edges are clamped to end at the last column / channel
    /// (recomputing values another strip or group also computes, identically), so the inner loop has no branches. The taps
    /// are added in the order (i, j), the order of the im2col rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DirectSingleChannelForward(float* x, ConvGeometry g, float* w, float* bias, int outChannels, float* y)
    {
        int k = g.Kernel, taps = k * k, width = g.Width, oh = g.OutHeight, ow = g.OutWidth, lanes = Vector256<float>.Count;
        int plane = oh * ow;
        for (int o = 0; o < outChannels; o += 4)
        {
            int o1 = Math.Min(o + 1, outChannels - 1), o2 = Math.Min(o + 2, outChannels - 1), o3 = Math.Min(o + 3, outChannels - 1);
            float* w0 = w + (long)o * taps, w1 = w + (long)o1 * taps, w2 = w + (long)o2 * taps, w3 = w + (long)o3 * taps;
            var b0 = Vector256.Create(bias == null ? 0f : bias[o]);
            var b1 = Vector256.Create(bias == null ? 0f : bias[o1]);
            var b2 = Vector256.Create(bias == null ? 0f : bias[o2]);
            var b3 = Vector256.Create(bias == null ? 0f : bias[o3]);
            for (int oy = 0; oy < oh; oy++)
            {
                for (int start = 0; start < ow; start += 3 * lanes)
                {
                    int c0 = Math.Min(start, ow - lanes), c1 = Math.Min(start + lanes, ow - lanes), c2 = Math.Min(start + 2 * lanes, ow - lanes);
                    Vector256<float> a00 = b0, a01 = b0, a02 = b0, a10 = b1, a11 = b1, a12 = b1;
                    Vector256<float> a20 = b2, a21 = b2, a22 = b2, a30 = b3, a31 = b3, a32 = b3;
                    for (int i = 0; i < k; i++)
                    {
                        float* xr = x + (long)(oy + i) * width;
                        int t = i * k;
                        for (int j = 0; j < k; j++, t++)
                        {
                            float* src = xr + j;
                            var x0 = Vector256.Load(src + c0);
                            var x1 = Vector256.Load(src + c1);
                            var x2 = Vector256.Load(src + c2);
                            var v = Vector256.Create(w0[t]);
                            a00 = Vector256.FusedMultiplyAdd(v, x0, a00);
                            a01 = Vector256.FusedMultiplyAdd(v, x1, a01);
                            a02 = Vector256.FusedMultiplyAdd(v, x2, a02);
                            v = Vector256.Create(w1[t]);
                            a10 = Vector256.FusedMultiplyAdd(v, x0, a10);
                            a11 = Vector256.FusedMultiplyAdd(v, x1, a11);
                            a12 = Vector256.FusedMultiplyAdd(v, x2, a12);
                            v = Vector256.Create(w2[t]);
                            a20 = Vector256.FusedMultiplyAdd(v, x0, a20);
                            a21 = Vector256.FusedMultiplyAdd(v, x1, a21);
                            a22 = Vector256.FusedMultiplyAdd(v, x2, a22);
                            v = Vector256.Create(w3[t]);
                            a30 = Vector256.FusedMultiplyAdd(v, x0, a30);
                            a31 = Vector256.FusedMultiplyAdd(v, x1, a31);
                            a32 = Vector256.FusedMultiplyAdd(v, x2, a32);
                        }
                    }
                    float* r0 = y + (long)o * plane + (long)oy * ow, r1 = y + (long)o1 * plane + (long)oy * ow;
                    float* r2 = y + (long)o2 * plane + (long)oy * ow, r3 = y + (long)o3 * plane + (long)oy * ow;
                    a32.Store(r3 + c2); a31.Store(r3 + c1); a30.Store(r3 + c0);
                    a22.Store(r2 + c2); a21.Store(r2 + c1); a20.Store(r2 + c0);
                    a12.Store(r1 + c2); a11.Store(r1 + c1); a10.Store(r1 + c0);
                    a02.Store(r0 + c2); a01.Store(r0 + c1); a00.Store(r0 + c0);
                }
            }
        }
    }

    /// <summary>
    /// dW (Out, K*K) += dL/dW for one image of a convolution that <see cref="UsesDirectForward"/>, when no input gradient is
    /// needed (the first layer): dW[o, (i, j)] = the sum over output pixels of dy[o, oy, ox] x[oy + i, ox + j]. The im2col
    /// route would copy K*K shifted images and run a GEMM whose other sides are K*K and Out (25 and 24), far from its speed.
    /// Here two taps and four channels are done at a time: eight independent accumulator chains (fewer would wait on the
    /// FMA latency), six loads per eight FMAs. A row's last vector is loaded ending at the last column with the lanes
    /// already counted masked to zero. Groups at the edges are clamped (to the last channel, to the last tap) and only
    /// distinct channels and taps are added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DirectSingleChannelWeightGrad(float* x, ConvGeometry g, float* dy, int outChannels, float* dW)
    {
        int k = g.Kernel, taps = k * k, width = g.Width, oh = g.OutHeight, ow = g.OutWidth, lanes = Vector256<float>.Count;
        int plane = oh * ow, whole = ow / lanes * lanes, tail = ow - whole;
        var tailMask = Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(lanes - tail)).AsSingle();
        for (int o = 0; o < outChannels; o += 4)
        {
            int o1 = Math.Min(o + 1, outChannels - 1), o2 = Math.Min(o + 2, outChannels - 1), o3 = Math.Min(o + 3, outChannels - 1);
            float* d0 = dy + (long)o * plane, d1 = dy + (long)o1 * plane, d2 = dy + (long)o2 * plane, d3 = dy + (long)o3 * plane;
            for (int t = 0; t < taps; t += 2)
            {
                int u = Math.Min(t + 1, taps - 1);
                float* xt = x + t / k * width + t % k, xu = x + u / k * width + u % k;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int oy = 0; oy < oh; oy++)
                {
                    float* xa = xt + (long)oy * width, xb = xu + (long)oy * width;
                    int row = oy * ow;
                    for (int c = 0; c < ow; c += lanes)
                    {
                        Vector256<float> xv, xw;
                        if (c < whole)
                        {
                            xv = Vector256.Load(xa + c);
                            xw = Vector256.Load(xb + c);
                        }
                        else
                        {
                            c = ow - lanes;
                            xv = Vector256.Load(xa + c) & tailMask;
                            xw = Vector256.Load(xb + c) & tailMask;
                        }
                        var v = Vector256.Load(d0 + row + c);
                        a0 = Vector256.FusedMultiplyAdd(v, xv, a0);
                        b0 = Vector256.FusedMultiplyAdd(v, xw, b0);
                        v = Vector256.Load(d1 + row + c);
                        a1 = Vector256.FusedMultiplyAdd(v, xv, a1);
                        b1 = Vector256.FusedMultiplyAdd(v, xw, b1);
                        v = Vector256.Load(d2 + row + c);
                        a2 = Vector256.FusedMultiplyAdd(v, xv, a2);
                        b2 = Vector256.FusedMultiplyAdd(v, xw, b2);
                        v = Vector256.Load(d3 + row + c);
                        a3 = Vector256.FusedMultiplyAdd(v, xv, a3);
                        b3 = Vector256.FusedMultiplyAdd(v, xw, b3);
                    }
                }
                AddSums(dW, taps, t, u, o, o1, o2, o3, a0, a1, a2, a3, b0, b1, b2, b3);
            }
        }
    }

    // dW[channel, t] += the lanes' sum of its a vector, dW[channel, u] of its b vector, for each distinct channel and tap.
    private static void AddSums(float* dW, int taps, int t, int u, int o, int o1, int o2, int o3,
        Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        Vector256<float> b0, Vector256<float> b1, Vector256<float> b2, Vector256<float> b3)
    {
        ReadOnlySpan<int> channels = [o, o1, o2, o3];
        ReadOnlySpan<Vector256<float>> first = [a0, a1, a2, a3], second = [b0, b1, b2, b3];
        for (int c = 0; c < 4; c++)
        {
            if (c > 0 && channels[c] == channels[c - 1])
                break;
            dW[(long)channels[c] * taps + t] += Vector256.Sum(first[c]);
            if (u > t)
                dW[(long)channels[c] * taps + u] += Vector256.Sum(second[c]);
        }
    }

    private sealed class ConvJob : IParallelJob
    {
        private CpuKernels _owner = null!;
        private bool _backward;
        private ConvGeometry _g;
        private int _out, _chunks;
        private float* _x, _w, _bias, _y, _dx, _partialW, _partialB;

        public void Set(CpuKernels owner, bool backward, ConvGeometry g, int outChannels, float* x, float* w, float* bias, float* yOrDy,
            float* dx, float* partialW, float* partialB, int chunks)
        {
            (_owner, _backward, _g, _out, _chunks) = (owner, backward, g, outChannels, chunks);
            _x = x;
            _w = w;
            _bias = bias;
            _y = yOrDy;
            _dx = dx;
            _partialW = partialW;
            _partialB = partialB;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int worker, int chunk, int start, int end)
        {
            var g = _g;
            int patch = g.PatchSize, plane = g.OutPlane, inSize = g.Channels * g.Height * g.Width;
            fixed (float* ws = _owner._workspace[worker])
            {
                float* columns = ws, dColumns = ws + (long)patch * plane;
                float* dW = _partialW + (long)chunk * _out * patch;
                float* dB = _partialB + (long)chunk * _out;
                if (_backward)
                {
                    new Span<float>(dW, _out * patch).Clear();
                    new Span<float>(dB, _out).Clear();
                }
                for (int n = start; n < end; n++)
                {
                    float* x = _x + (long)n * inSize;
                    float* y = _y + (long)n * _out * plane;   // forward: y[n]; backward: dy[n]; (Out, P)
                    if (!_backward && UsesDirectForward(g))
                    {
                        DirectSingleChannelForward(x, g, _w, _bias, _out, y);
                        continue;
                    }
                    if (_backward && _dx == null && UsesDirectForward(g))
                    {
                        DirectSingleChannelWeightGrad(x, g, y, _out, dW);
                        for (int o = 0; o < _out; o++)
                            dB[o] += TensorPrimitives.Sum(new ReadOnlySpan<float>(y + (long)o * plane, plane));
                        continue;
                    }
                    LoopJob.Im2Col(x, g, columns, plane);
                    if (!_backward)
                    {
                        // y[n] (Out, P) = W (Out, CKK) x columns (CKK, P) + b
                        _owner.WorkerGemm(worker, false, false, _out, plane, patch, 1f, _w, patch, columns, plane, 0f, y, plane);
                        if (_bias != null)
                            for (int o = 0; o < _out; o++)
                            {
                                var row = new Span<float>(y + (long)o * plane, plane);
                                TensorPrimitives.Add(row, _bias[o], row);
                            }
                        continue;
                    }
                    // dW (Out, CKK) += dy[n] (Out, P) x columns^T (P, CKK); db += row sums of dy[n]
                    _owner.WorkerGemm(worker, false, true, _out, patch, plane, 1f, y, plane, columns, plane, 1f, dW, patch);
                    for (int o = 0; o < _out; o++)
                        dB[o] += TensorPrimitives.Sum(new ReadOnlySpan<float>(y + (long)o * plane, plane));
                    if (_dx == null)
                        continue;
                    // dColumns (CKK, P) = W^T (CKK, Out) x dy[n] (Out, P), folded back into dx[n]
                    _owner.WorkerGemm(worker, true, false, patch, plane, _out, 1f, _w, patch, y, plane, 0f, dColumns, plane);
                    LoopJob.Col2Im(dColumns, plane, g, _dx + (long)n * inSize);
                }
            }
        }
    }
}
