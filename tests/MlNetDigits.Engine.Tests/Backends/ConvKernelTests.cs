using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Backends;

public class ConvKernelTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void BatchIm2ColThenGemm_MatchesConv2dForward(int stride, int padding)
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        var rng = new Rng(3);
        var g = new ConvGeometry(3, 2, 7, 6, 3, stride, padding);
        int outChannels = 4, cols = g.Batch * g.OutPlane;
        var x = TestData.Random(rng, g.Batch, g.Channels, g.Height, g.Width);
        var w = TestData.Random(rng, outChannels, g.PatchSize);
        var direct = new float[g.Batch * outChannels * g.OutPlane];
        kernels.Conv2dForward(x.Data, g, w.Data, outChannels, default, direct);

        var columns = new float[g.PatchSize * cols];
        kernels.Im2Col(x.Data, g, columns);
        var channelMajor = new float[outChannels * cols];   // (Out, N*P)
        kernels.Gemm(false, false, outChannels, cols, g.PatchSize, 1f, w.Data, g.PatchSize, columns, cols, 0f, channelMajor, cols);
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < outChannels; o++)
                for (int p = 0; p < g.OutPlane; p++)
                    Assert.Equal(channelMajor[o * cols + n * g.OutPlane + p], direct[(n * outChannels + o) * g.OutPlane + p], 4);

        // Col2Im is Im2Col's adjoint: <Im2Col(x), c> = <x, Col2Im(c)>.
        var c = TestData.Random(rng, g.PatchSize * cols).Data;
        var folded = new float[x.Length];
        kernels.Col2Im(c, g, folded);
        double left = 0, right = 0;
        for (int i = 0; i < c.Length; i++)
            left += (double)columns[i] * c[i];
        for (int i = 0; i < x.Length; i++)
            right += (double)x.Data[i] * folded[i];
        Assert.Equal(left, right, 3);
    }

    [Theory]
    [InlineData(28, 28, 5)]   // the "fast" net's first layer: rows of 24 = three vectors
    [InlineData(13, 11, 3)]   // rows of 9: one vector and an overlapping one
    [InlineData(9, 45, 5)]    // rows of 41: a strip of three vectors, then a clamped one
    [InlineData(12, 8, 1)]    // a 1x1 kernel
    public void DirectSingleChannelForward_MatchesIm2ColThenGemm(int height, int width, int kernel)
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        var rng = new Rng((ulong)(height * 100 + width));
        var g = new ConvGeometry(3, 1, height, width, kernel, 1, 0);
        Assert.True(CpuKernels.UsesDirectForward(g));
        int outChannels = 5, cols = g.Batch * g.OutPlane;
        var x = TestData.Random(rng, g.Batch, 1, height, width);
        var w = TestData.Random(rng, outChannels, g.PatchSize);
        var bias = TestData.Random(rng, outChannels);
        var direct = new float[g.Batch * outChannels * g.OutPlane];
        kernels.Conv2dForward(x.Data, g, w.Data, outChannels, bias.Data, direct);

        var columns = new float[g.PatchSize * cols];
        kernels.Im2Col(x.Data, g, columns);
        var channelMajor = new float[outChannels * cols];
        kernels.Gemm(false, false, outChannels, cols, g.PatchSize, 1f, w.Data, g.PatchSize, columns, cols, 0f, channelMajor, cols);
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < outChannels; o++)
                for (int p = 0; p < g.OutPlane; p++)
                    Assert.Equal(channelMajor[o * cols + n * g.OutPlane + p] + bias.Data[o], direct[(n * outChannels + o) * g.OutPlane + p], 1e-5 * kernel * kernel);
    }

    [Fact]
    public void DirectForward_IsOnlyUsedForOneChannelStrideOneWithoutPadding()
    {
        Assert.False(CpuKernels.UsesDirectForward(new ConvGeometry(1, 2, 28, 28, 5, 1, 0)));
        Assert.False(CpuKernels.UsesDirectForward(new ConvGeometry(1, 1, 28, 28, 5, 2, 0)));
        Assert.False(CpuKernels.UsesDirectForward(new ConvGeometry(1, 1, 28, 28, 5, 1, 1)));
        Assert.False(CpuKernels.UsesDirectForward(new ConvGeometry(1, 1, 9, 9, 5, 1, 0)));   // rows of 5: shorter than a vector
    }
}

public class MaxPoolKernelTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(26)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(3)]
    public void MaxPool2x2_MatchesNaiveFirstMaximumWithTiesAndNaN(int width)
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        var rng = new Rng((ulong)width);
        var g = new ConvGeometry(2, 3, 6, width, 2, 2, 0);
        var x = new float[2 * 3 * 6 * width];
        for (int i = 0; i < x.Length; i++)
            x[i] = rng.NextInt(4);           // many ties
        x[5] = float.NaN;
        x[x.Length - 3] = float.NaN;
        var y = new float[2 * 3 * g.OutPlane];
        var idx = new int[y.Length];
        kernels.MaxPool2d(x, g, y, idx);
        for (int p = 0; p < 6; p++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    float best = float.NegativeInfinity;
                    int at = -1;
                    foreach (var (dy, dx) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                    {
                        int i = p * 6 * width + (2 * oy + dy) * width + 2 * ox + dx;
                        if (at < 0 || (!float.IsNaN(best) && (x[i] > best || float.IsNaN(x[i]))))
                            (best, at) = (x[i], i);
                    }
                    int o = (p * g.OutHeight + oy) * g.OutWidth + ox;
                    Assert.Equal(best, y[o]);
                    Assert.Equal(at, idx[o]);
                }
    }
}
