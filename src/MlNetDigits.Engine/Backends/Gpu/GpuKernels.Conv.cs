using ILGPU;
using ILGPU.Runtime;

namespace MlNetDigits.Engine.Backends;

// Convolution as GEMM over the whole batch: im2col gives columns (C*K*K, N*OH*OW), one product gives the output
// channel-major (Out, N*OH*OW), and a transpose kernel writes it NCHW with the bias. Backward recomputes the columns
// (cheaper than keeping them per layer), and col2im gathers each input pixel's sum in the order the CPU adds it.
public sealed partial class GpuKernels
{
    private GpuBuffer<float>? _columns;      // (C*K*K, N*OH*OW)
    private GpuBuffer<float>? _columnGrads;  // (C*K*K, N*OH*OW)
    private GpuBuffer<float>? _channelMajor; // (Out, N*OH*OW)

    /// <summary>A convolution or pooling's sizes, as kernels take them.</summary>
    internal readonly record struct Geometry(int Batch, int Channels, int Height, int Width, int Kernel, int Stride, int Padding, int OutHeight, int OutWidth)
    {
        public static Geometry Of(ConvGeometry g) => new(g.Batch, g.Channels, g.Height, g.Width, g.Kernel, g.Stride, g.Padding, g.OutHeight, g.OutWidth);
    }

    public void Im2Col(Tensor input, ConvGeometry g, Tensor columns)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Im2Col input");
        Require(columns.Length, (long)g.PatchSize * g.Batch * g.OutPlane, "Im2Col columns");
        Im2Col(View(input), g, View(columns));
    }

    public void Col2Im(Tensor columns, ConvGeometry g, Tensor inputGrad)
    {
        Require(inputGrad.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Col2Im inputGrad");
        Require(columns.Length, (long)g.PatchSize * g.Batch * g.OutPlane, "Col2Im columns");
        Col2Im(View(columns), g, View(inputGrad));
    }

    public void Conv2dForward(Tensor input, ConvGeometry g, Tensor weight, int outChannels, Tensor? bias, Tensor output)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Conv2dForward input");
        Require(weight.Length, (long)outChannels * g.PatchSize, "Conv2dForward weight");
        Require(output.Length, (long)g.Batch * outChannels * g.OutPlane, "Conv2dForward output");
        if (bias is not null)
            Require(bias.Length, outChannels, "Conv2dForward bias");
        int columns = g.Batch * g.OutPlane;
        var cols = Scratch(ref _columns, (long)g.PatchSize * columns);
        var ycm = Scratch(ref _channelMajor, (long)outChannels * columns);
        Im2Col(View(input), g, cols);
        // (Out, C*K*K) x (C*K*K, N*P) -> (Out, N*P)
        Gemm(false, false, outChannels, columns, g.PatchSize, 1f, View(weight), g.PatchSize, cols, columns, 0f, ycm, columns);
        _fromChannelMajor ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(FromChannelMajorKernel);
        var b = bias is null ? ycm : View(bias);
        var loop = LoopOver(output.Length);
        _fromChannelMajor(loop.Stride, loop, ycm, b, View(output), bias is null ? 0 : 1, outChannels, g.OutPlane);
    }

    public void Conv2dBackward(Tensor input, ConvGeometry g, Tensor weight, int outChannels, Tensor outputGrad,
        Tensor weightGrad, Tensor? biasGrad, Tensor? inputGrad)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "Conv2dBackward input");
        Require(weight.Length, (long)outChannels * g.PatchSize, "Conv2dBackward weight");
        Require(weightGrad.Length, weight.Length, "Conv2dBackward weightGrad");
        Require(outputGrad.Length, (long)g.Batch * outChannels * g.OutPlane, "Conv2dBackward outputGrad");
        if (biasGrad is not null)
            Require(biasGrad.Length, outChannels, "Conv2dBackward biasGrad");
        if (inputGrad is not null)
            Require(inputGrad.Length, input.Length, "Conv2dBackward inputGrad");
        int columns = g.Batch * g.OutPlane;
        var dy = View(outputGrad);
        if (biasGrad is not null)
            AccumulateChannelSums(dy, g.Batch, outChannels, g.OutPlane, View(biasGrad));
        var dycm = Scratch(ref _channelMajor, (long)outChannels * columns);
        _toChannelMajor ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, int, int>(ToChannelMajorKernel);
        var loop = LoopOver(outputGrad.Length);
        _toChannelMajor(loop.Stride, loop, dy, dycm, outChannels, g.OutPlane);
        var cols = Scratch(ref _columns, (long)g.PatchSize * columns);
        Im2Col(View(input), g, cols);
        // dW (Out, C*K*K) += dY (Out, N*P) x columns^T (N*P, C*K*K)
        Gemm(false, true, outChannels, g.PatchSize, columns, 1f, dycm, columns, cols, columns, 1f, View(weightGrad), g.PatchSize);
        if (inputGrad is null)
            return;
        // dColumns (C*K*K, N*P) = W^T (C*K*K, Out) x dY (Out, N*P), folded back into dx
        var dcols = Scratch(ref _columnGrads, (long)g.PatchSize * columns);
        Gemm(true, false, g.PatchSize, columns, outChannels, 1f, View(weight), g.PatchSize, dycm, columns, 0f, dcols, columns);
        Col2Im(dcols, g, View(inputGrad));
    }

    private void Im2Col(ArrayView<float> x, ConvGeometry g, ArrayView<float> columns)
    {
        if (columns.Length == 0)
            return;
        _im2col ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, Geometry>(Im2ColKernel);
        var loop = LoopOver(columns.Length);
        _im2col(loop.Stride, loop, x, columns, Geometry.Of(g));
    }

    private void Col2Im(ArrayView<float> columns, ConvGeometry g, ArrayView<float> dx)
    {
        if (dx.Length == 0)
            return;
        _col2im ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, Geometry>(Col2ImKernel);
        var loop = LoopOver(dx.Length);
        _col2im(loop.Stride, loop, columns, dx, Geometry.Of(g));
    }

    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, Geometry>? _im2col, _col2im;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>? _fromChannelMajor;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, int, int>? _toChannelMajor;

    // columns[(c, ki, kj), (n, oy, ox)] = x[n, c, oy*s - p + ki, ox*s - p + kj], zero outside the image.
    internal static void Im2ColKernel(Index1D t, Loop loop, ArrayView<float> x, ArrayView<float> columns, Geometry g)
    {
        int plane = g.OutHeight * g.OutWidth, width = g.Batch * plane, kk = g.Kernel * g.Kernel;
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int row = i / width, col = i - row * width;
            int n = col / plane, pos = col - n * plane;
            int oy = pos / g.OutWidth, ox = pos - oy * g.OutWidth;
            int c = row / kk, ki = row / g.Kernel % g.Kernel, kj = row % g.Kernel;
            int iy = oy * g.Stride - g.Padding + ki, ix = ox * g.Stride - g.Padding + kj;
            columns[i] = iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width ? x[((n * g.Channels + c) * g.Height + iy) * g.Width + ix] : 0f;
        }
    }

    // dx[n, c, iy, ix] = the sum over (ki, kj), in that order, of the column entries this pixel was copied to.
    internal static void Col2ImKernel(Index1D t, Loop loop, ArrayView<float> columns, ArrayView<float> dx, Geometry g)
    {
        int plane = g.OutHeight * g.OutWidth, width = g.Batch * plane;
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int ix = i % g.Width, rest = i / g.Width;
            int iy = rest % g.Height;
            rest /= g.Height;
            int c = rest % g.Channels, n = rest / g.Channels;
            float sum = 0f;
            for (int ki = 0; ki < g.Kernel; ki++)
            {
                int ty = iy + g.Padding - ki;
                if (ty < 0 || ty % g.Stride != 0 || ty / g.Stride >= g.OutHeight)
                    continue;
                int oy = ty / g.Stride;
                for (int kj = 0; kj < g.Kernel; kj++)
                {
                    int tx = ix + g.Padding - kj;
                    if (tx < 0 || tx % g.Stride != 0 || tx / g.Stride >= g.OutWidth)
                        continue;
                    int row = (c * g.Kernel + ki) * g.Kernel + kj;
                    sum += columns[row * width + n * plane + oy * g.OutWidth + tx / g.Stride];
                }
            }
            dx[i] = sum;
        }
    }

    // y[n, o, p] = ycm[o, n * P + p] + bias[o]
    internal static void FromChannelMajorKernel(Index1D t, Loop loop, ArrayView<float> ycm, ArrayView<float> bias, ArrayView<float> y, int hasBias, int outChannels, int plane)
    {
        int width = loop.Count / outChannels;
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int p = i % plane, rest = i / plane;
            int o = rest % outChannels, n = rest / outChannels;
            float v = ycm[o * width + n * plane + p];
            y[i] = hasBias != 0 ? v + bias[o] : v;
        }
    }

    // ycm[o, n * P + p] = y[n, o, p]
    internal static void ToChannelMajorKernel(Index1D t, Loop loop, ArrayView<float> y, ArrayView<float> ycm, int outChannels, int plane)
    {
        int width = loop.Count / outChannels;
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int p = i % plane, rest = i / plane;
            int o = rest % outChannels, n = rest / outChannels;
            ycm[o * width + n * plane + p] = y[i];
        }
    }
}
