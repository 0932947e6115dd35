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

    [Theory]
    [InlineData(28, 28, 5, 24)]   // the "fast" net's first layer: rows of 24 = three whole vectors
    [InlineData(28, 28, 3, 32)]   // the "best" and "classic" nets' first layer: rows of 26, a masked last vector
    [InlineData(13, 11, 3, 5)]    // rows of 9; five channels: a group of four and a clamped group of one
    [InlineData(10, 30, 2, 6)]    // rows of 29; a clamped group of two
    public void DirectSingleChannelWeightGrad_MatchesIm2ColThenGemm(int height, int width, int kernel, int outChannels)
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        var rng = new Rng((ulong)(height * 1000 + width * 10 + kernel));
        var g = new ConvGeometry(5, 1, height, width, kernel, 1, 0);
        Assert.True(CpuKernels.UsesDirectForward(g));
        var x = TestData.Random(rng, g.Batch, 1, height, width);
        var w = TestData.Random(rng, outChannels, g.PatchSize);
        var dy = TestData.Random(rng, g.Batch * outChannels * g.OutPlane);
        var start = TestData.Random(rng, outChannels * g.PatchSize);   // gradients are accumulated into
        var direct = (float[])start.Data.Clone();
        var viaColumns = (float[])start.Data.Clone();
        var directBias = new float[outChannels];
        var viaColumnsBias = new float[outChannels];
        kernels.Conv2dBackward(x.Data, g, w.Data, outChannels, dy.Data, direct, directBias, default);   // no input gradient: direct
        kernels.Conv2dBackward(x.Data, g, w.Data, outChannels, dy.Data, viaColumns, viaColumnsBias, new float[x.Length]);
        for (int i = 0; i < direct.Length; i++)
            Assert.Equal(viaColumns[i], direct[i], 1e-4 * Math.Sqrt(g.Batch * g.OutPlane));
        Assert.Equal(viaColumnsBias, directBias);
    }

    [Theory]
    [InlineData(12, 3)]   // rows of 10: a vector and an overlapping one
    [InlineData(20, 5)]   // rows of 16: two whole vectors
    [InlineData(8, 3)]    // rows of 6: shorter than a vector
    public void Im2Col_And_Col2Im_MatchNaiveLoops_ForUnitStrideRows(int size, int kernel)
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        var rng = new Rng((ulong)size);
        var g = new ConvGeometry(2, 3, size, size, kernel, 1, 0);
        int cols = g.Batch * g.OutPlane;
        var x = TestData.Random(rng, g.Batch, g.Channels, size, size).Data;
        var columns = new float[g.PatchSize * cols];
        kernels.Im2Col(x, g, columns);
        var c = TestData.Random(rng, g.PatchSize * cols).Data;
        var folded = new float[x.Length];
        kernels.Col2Im(c, g, folded);
        var naiveFolded = new float[x.Length];
        for (int n = 0; n < g.Batch; n++)
            for (int ch = 0; ch < g.Channels; ch++)
                for (int ki = 0; ki < kernel; ki++)
                    for (int kj = 0; kj < kernel; kj++)
                        for (int oy = 0; oy < g.OutHeight; oy++)
                            for (int ox = 0; ox < g.OutWidth; ox++)
                            {
                                int row = (ch * kernel + ki) * kernel + kj, column = n * g.OutPlane + oy * g.OutWidth + ox;
                                int pixel = ((n * g.Channels + ch) * size + oy + ki) * size + ox + kj;
                                Assert.Equal(x[pixel], columns[row * cols + column]);
                                naiveFolded[pixel] += c[row * cols + column];
                            }
        Assert.Equal(naiveFolded, folded);   // the same additions in the same order: bit for bit
    }

    [Theory]
    [InlineData(BackendKind.Managed, 5, 24, 12, 12, 32, 0)]   // the "fast" net's second layer: 5x5 whole tiles
    [InlineData(BackendKind.Managed, 3, 3, 11, 8, 4, 0)]      // odd output height (9): a half tile at the bottom
    [InlineData(BackendKind.Managed, 4, 2, 7, 9, 5, 1)]       // padding 1, odd output width
    [InlineData(BackendKind.Managed, 2, 5, 3, 3, 3, 0)]       // a 1x1 output: one tile, three quarters unused
    [InlineData(BackendKind.OpenBlas, 7, 32, 14, 14, 16, 1)]  // OpenBLAS GEMMs, padding 1, 7 images over chunks
    public void Winograd_MatchesIm2ColThenGemm_ForwardAndBackward(BackendKind kind, int batch, int channels, int height, int width, int outChannels, int padding)
    {
        if (kind == BackendKind.OpenBlas && !OpenBlasAvailable())
            return;
        using var winograd = new CpuKernels(kind, 2) { WinogradMinTiles = 0 };
        using var im2col = new CpuKernels(kind, 2) { UseWinograd = false };
        var rng = new Rng((ulong)(batch * 1000 + channels * 10 + padding));
        var g = new ConvGeometry(batch, channels, height, width, 3, 1, padding);
        Assert.True(winograd.UsesWinograd(g));
        Assert.False(im2col.UsesWinograd(g));
        var x = TestData.Random(rng, batch, channels, height, width).Data;
        var w = TestData.Random(rng, outChannels, channels * 9).Data;
        var bias = TestData.Random(rng, outChannels).Data;
        var dy = TestData.Random(rng, batch * outChannels * g.OutPlane).Data;
        var startW = TestData.Random(rng, w.Length).Data;     // gradients accumulate into what is there
        var startB = TestData.Random(rng, outChannels).Data;

        (float[] Y, float[] DW, float[] DB, float[] DX) Run(CpuKernels k)
        {
            var y = new float[dy.Length];
            k.Conv2dForward(x, g, w, outChannels, bias, y);
            var dW = (float[])startW.Clone();
            var dB = (float[])startB.Clone();
            var dx = new float[x.Length];
            k.Conv2dBackward(x, g, w, outChannels, dy, dW, dB, dx);
            return (y, dW, dB, dx);
        }

        var expected = Run(im2col);
        var actual = Run(winograd);
        double scale = Math.Sqrt(channels * 9);                // typical size of a sum of C*9 products of unit values
        AssertClose(expected.Y, actual.Y, 2e-6 * scale);
        AssertClose(expected.DX, actual.DX, 2e-6 * Math.Sqrt(outChannels * 9));
        AssertClose(expected.DW, actual.DW, 2e-6 * Math.Sqrt(batch * g.OutPlane));
        AssertClose(expected.DB, actual.DB, 1e-5 * Math.Sqrt(batch * g.OutPlane));

        // Without an input gradient (a first layer) the weight and bias gradients are the same.
        var dWOnly = (float[])startW.Clone();
        var dBOnly = (float[])startB.Clone();
        winograd.Conv2dBackward(x, g, w, outChannels, dy, dWOnly, dBOnly, default);
        Assert.Equal(actual.DW, dWOnly);
        Assert.Equal(actual.DB, dBOnly);
    }

    [Fact]
    public void Winograd_IsUsedForEnoughTilesPerThread_OrForOneSmallImageForward()
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        Assert.True(kernels.UsesWinograd(new ConvGeometry(256, 24, 12, 12, 3, 1, 0)));    // "fast" training batch: 32 images x 25 tiles per chunk
        Assert.True(kernels.UsesWinograd(new ConvGeometry(1, 24, 12, 12, 3, 1, 0)));      // one "fast" image, forward: the inline product
        Assert.False(kernels.UsesWinograd(new ConvGeometry(1, 24, 12, 12, 3, 1, 0), backward: true));   // 25 tiles: im2col
        Assert.False(kernels.UsesWinograd(new ConvGeometry(8, 24, 12, 12, 3, 1, 0)));     // 1 image x 25 tiles per chunk
        Assert.True(kernels.UsesWinograd(new ConvGeometry(1, 32, 26, 26, 3, 1, 0)));      // one "classic" image: 144 tiles
        Assert.False(kernels.UsesWinograd(new ConvGeometry(256, 24, 12, 12, 5, 1, 0)));   // 5x5 kernel
        Assert.False(kernels.UsesWinograd(new ConvGeometry(256, 24, 12, 12, 3, 2, 0)));   // stride 2
        Assert.False(kernels.UsesWinograd(new ConvGeometry(256, 1, 28, 28, 3, 1, 0)));    // one channel: the direct kernel
    }

    [Theory]
    [InlineData(BackendKind.Managed, 24, 12, 12, 32, 0)]   // the "fast" net's second layer: 25 tiles
    [InlineData(BackendKind.OpenBlas, 24, 12, 12, 32, 0)]
    [InlineData(BackendKind.Managed, 5, 9, 10, 7, 1)]      // 5x5 tiles with padding, odd output height, odd channel count
    [InlineData(BackendKind.Managed, 3, 4, 4, 2, 0)]       // one tile
    public void Winograd_OneImageWithTheInlineProduct_MatchesIm2ColThenGemm(BackendKind kind, int channels, int height, int width, int outChannels, int padding)
    {
        if (kind == BackendKind.OpenBlas && !OpenBlasAvailable())
            return;
        using var winograd = new CpuKernels(kind, 2);
        using var im2col = new CpuKernels(kind, 2) { UseWinograd = false };
        var rng = new Rng((ulong)(channels * 100 + height));
        var g = new ConvGeometry(1, channels, height, width, 3, 1, padding);
        Assert.True(winograd.UsesWinograd(g));
        var x = TestData.Random(rng, 1, channels, height, width).Data;
        var w = TestData.Random(rng, outChannels, channels * 9).Data;
        var bias = TestData.Random(rng, outChannels).Data;
        var expected = new float[outChannels * g.OutPlane];
        var actual = new float[expected.Length];
        im2col.Conv2dForward(x, g, w, outChannels, bias, expected);
        winograd.Conv2dForward(x, g, w, outChannels, bias, actual);
        AssertClose(expected, actual, 2e-6 * Math.Sqrt(channels * 9));
    }

    [Fact]
    public void Winograd_TransformedKernelIsRebuilt_WhenTheWeightsChangeInPlace()
    {
        // The transformed kernel is cached by the weights' address and checked against a copy: an optimizer step writes
        // new weights into the same array, and the next pass must use them.
        using var kernels = new CpuKernels(BackendKind.Managed, 1);
        using var reference = new CpuKernels(BackendKind.Managed, 1) { UseWinograd = false };
        var rng = new Rng(21);
        var g = new ConvGeometry(1, 4, 8, 8, 3, 1, 0);
        Assert.True(kernels.UsesWinograd(g));
        var x = TestData.Random(rng, 1, 4, 8, 8).Data;
        var w = TestData.Random(rng, 6, 36).Data;
        var y = new float[6 * g.OutPlane];
        var expected = new float[y.Length];
        for (int step = 0; step < 3; step++)
        {
            kernels.Conv2dForward(x, g, w, 6, default, y);
            reference.Conv2dForward(x, g, w, 6, default, expected);
            AssertClose(expected, y, 1e-5);
            w[w.Length - 1 - step] += 1f;   // a change far from the start of the array
        }
    }

    private static bool OpenBlasAvailable()
    {
        try
        {
            using var k = new CpuKernels(BackendKind.OpenBlas, 1);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // |difference| <= tolerance (scaled to the sum's size) + a few float32 roundings of the value itself.
    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance + 3e-6 * Math.Abs(expected[i]),
                $"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance:G3})");
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
        for (int i = 7; i < x.Length; i += 11)
            if (x[i] == 0)
                x[i] = -0f;                  // a -0 beside a +0: the first one stays
        var y = new float[2 * 3 * g.OutPlane];
        var idx = new int[y.Length];
        kernels.MaxPool2d(x, g, y, idx);
        var valuesOnly = new float[y.Length];
        kernels.MaxPool2d(x, g, valuesOnly, default);   // inference: no indices, the same values bit for bit
        for (int o = 0; o < y.Length; o++)
            Assert.Equal(BitConverter.SingleToInt32Bits(y[o]), BitConverter.SingleToInt32Bits(valuesOnly[o]));
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
                    Assert.Equal(BitConverter.SingleToInt32Bits(best), BitConverter.SingleToInt32Bits(y[o]));
                    Assert.Equal(at, idx[o]);
                }
    }
}

public class ElementwiseKernelTests
{
    [Theory]
    [InlineData(1000)]              // on the calling thread
    [InlineData(300_007)]           // blocks across the pool, with a partial last block and a scalar tail
    public void ReluAndItsBackward_MatchTheDefinition(int length)
    {
        using var kernels = new CpuKernels(BackendKind.Managed, 2);
        var rng = new Rng((ulong)length);
        var x = TestData.Random(rng, length).Data;
        var dy = TestData.Random(rng, length).Data;
        x[3] = 0f;
        x[length - 1] = -0f;
        var y = new float[length];
        var dx = new float[length];
        kernels.Relu(x, y);
        kernels.ReluBackward(y, dy, dx);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(Math.Max(x[i], 0f), y[i]);
            Assert.Equal(y[i] > 0f ? dy[i] : 0f, dx[i]);
        }
    }
}
