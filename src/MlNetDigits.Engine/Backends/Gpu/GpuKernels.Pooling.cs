using ILGPU;
using ILGPU.Runtime;

namespace MlNetDigits.Engine.Backends;

// Pooling: each output's window forward; backward gathers, each input pixel adding the windows that cover it in output
// order, which is the order the CPU's scatter adds them (no atomics, so the sums repeat exactly).
public sealed partial class GpuKernels
{
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, Geometry>? _maxPool;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<int>, ArrayView<float>, Geometry>? _maxPoolBackward;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, Geometry>? _avgPool, _avgPoolBackward;

    public void MaxPool2d(Tensor input, ConvGeometry g, Tensor output, IntTensor? argmax)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "MaxPool2d input");
        Require(output.Length, (long)g.Batch * g.Channels * g.OutPlane, "MaxPool2d output");
        if (argmax is not null)
            Require(argmax.Length, output.Length, "MaxPool2d argmax");
        if (output.Length == 0)
            return;
        _maxPool ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, Geometry>(MaxPoolKernel);
        var y = View(output);
        var loop = LoopOver(output.Length);
        _maxPool(loop.Stride, loop, View(input), y, argmax is null ? y.Cast<int>() : View(argmax), argmax is null ? 0 : 1, Geometry.Of(g));
    }

    public void MaxPool2dBackward(Tensor outputGrad, IntTensor argmax, ConvGeometry g, Tensor inputGrad)
    {
        Require(inputGrad.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "MaxPool2dBackward inputGrad");
        Require(outputGrad.Length, (long)g.Batch * g.Channels * g.OutPlane, "MaxPool2dBackward outputGrad");
        Require(argmax.Length, outputGrad.Length, "MaxPool2dBackward argmax");
        if (inputGrad.Length == 0)
            return;
        _maxPoolBackward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<int>, ArrayView<float>, Geometry>(MaxPoolBackwardKernel);
        var loop = LoopOver(inputGrad.Length);
        _maxPoolBackward(loop.Stride, loop, View(outputGrad), View(argmax), View(inputGrad), Geometry.Of(g));
    }

    public void AvgPool2d(Tensor input, ConvGeometry g, Tensor output)
    {
        Require(input.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "AvgPool2d input");
        Require(output.Length, (long)g.Batch * g.Channels * g.OutPlane, "AvgPool2d output");
        if (output.Length == 0)
            return;
        _avgPool ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, Geometry>(AvgPoolKernel);
        var loop = LoopOver(output.Length);
        _avgPool(loop.Stride, loop, View(input), View(output), Geometry.Of(g));
    }

    public void AvgPool2dBackward(Tensor outputGrad, ConvGeometry g, Tensor inputGrad)
    {
        Require(inputGrad.Length, (long)g.Batch * g.Channels * g.Height * g.Width, "AvgPool2dBackward inputGrad");
        Require(outputGrad.Length, (long)g.Batch * g.Channels * g.OutPlane, "AvgPool2dBackward outputGrad");
        if (inputGrad.Length == 0)
            return;
        _avgPoolBackward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, Geometry>(AvgPoolBackwardKernel);
        var loop = LoopOver(inputGrad.Length);
        _avgPoolBackward(loop.Stride, loop, View(outputGrad), View(inputGrad), Geometry.Of(g));
    }

    // y = the window's maximum; the first maximum wins ties and a NaN wins (propagates), as on the CPU. argmax is the
    // maximum's index into x.
    internal static void MaxPoolKernel(Index1D t, Loop loop, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax, int recordArgmax, Geometry g)
    {
        int plane = g.OutHeight * g.OutWidth, inPlane = g.Height * g.Width;
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int pc = i / plane, pos = i - pc * plane;
            int oy = pos / g.OutWidth, ox = pos - oy * g.OutWidth;
            float best = float.NegativeInfinity;
            int bestAt = -1;
            bool done = false;
            for (int ki = 0; ki < g.Kernel && !done; ki++)
            {
                int iy = oy * g.Stride - g.Padding + ki;
                if (iy < 0 || iy >= g.Height)
                    continue;
                for (int kj = 0; kj < g.Kernel; kj++)
                {
                    int ix = ox * g.Stride - g.Padding + kj;
                    if (ix < 0 || ix >= g.Width)
                        continue;
                    float v = x[pc * inPlane + iy * g.Width + ix];
                    bool nan = float.IsNaN(v);
                    if (v > best || nan || bestAt < 0)
                    {
                        best = v;
                        bestAt = iy * g.Width + ix;
                        if (nan)
                        {
                            done = true;
                            break;
                        }
                    }
                }
            }
            y[i] = best;
            if (recordArgmax != 0)
                argmax[i] = pc * inPlane + bestAt;
        }
    }

    // dx[pixel] = the sum, in output order, of dy over the windows whose maximum was this pixel.
    internal static void MaxPoolBackwardKernel(Index1D t, Loop loop, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx, Geometry g)
    {
        int inPlane = g.Height * g.Width, plane = g.OutHeight * g.OutWidth;
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int pc = i / inPlane, pos = i - pc * inPlane;
            int iy = pos / g.Width, ix = pos - iy * g.Width;
            float sum = 0f;
            for (int oy = First(iy, g), lastY = Last(iy, g.OutHeight, g); oy <= lastY; oy++)
                for (int ox = First(ix, g), lastX = Last(ix, g.OutWidth, g); ox <= lastX; ox++)
                {
                    int o = pc * plane + oy * g.OutWidth + ox;
                    if (argmax[o] == i)
                        sum += dy[o];
                }
            dx[i] = sum;
        }
    }

    // y = the window's mean, padding counted as zeros.
    internal static void AvgPoolKernel(Index1D t, Loop loop, ArrayView<float> x, ArrayView<float> y, Geometry g)
    {
        int plane = g.OutHeight * g.OutWidth, inPlane = g.Height * g.Width;
        float scale = 1f / (g.Kernel * g.Kernel);
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int pc = i / plane, pos = i - pc * plane;
            int oy = pos / g.OutWidth, ox = pos - oy * g.OutWidth;
            float sum = 0f;
            for (int ki = 0; ki < g.Kernel; ki++)
            {
                int iy = oy * g.Stride - g.Padding + ki;
                if (iy < 0 || iy >= g.Height)
                    continue;
                for (int kj = 0; kj < g.Kernel; kj++)
                {
                    int ix = ox * g.Stride - g.Padding + kj;
                    if (ix >= 0 && ix < g.Width)
                        sum += x[pc * inPlane + iy * g.Width + ix];
                }
            }
            y[i] = sum * scale;
        }
    }

    // dx[pixel] = the sum, in output order, of dy / (K * K) over the windows covering this pixel.
    internal static void AvgPoolBackwardKernel(Index1D t, Loop loop, ArrayView<float> dy, ArrayView<float> dx, Geometry g)
    {
        int inPlane = g.Height * g.Width, plane = g.OutHeight * g.OutWidth;
        float scale = 1f / (g.Kernel * g.Kernel);
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int pc = i / inPlane, pos = i - pc * inPlane;
            int iy = pos / g.Width, ix = pos - iy * g.Width;
            float sum = 0f;
            for (int oy = First(iy, g), lastY = Last(iy, g.OutHeight, g); oy <= lastY; oy++)
                for (int ox = First(ix, g), lastX = Last(ix, g.OutWidth, g); ox <= lastX; ox++)
                    sum += dy[pc * plane + oy * g.OutWidth + ox] * scale;
            dx[i] = sum;
        }
    }

    // The first and last output rows (or columns) whose window covers input row t: o*s - p <= t <= o*s - p + K - 1.
    private static int First(int t, Geometry g)
    {
        int low = t + g.Padding - g.Kernel + 1;
        return low <= 0 ? 0 : (low + g.Stride - 1) / g.Stride;
    }

    private static int Last(int t, int outSize, Geometry g)
    {
        int o = (t + g.Padding) / g.Stride;
        return o < outSize ? o : outSize - 1;
    }
}
