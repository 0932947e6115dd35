using System.Numerics.Tensors;

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
