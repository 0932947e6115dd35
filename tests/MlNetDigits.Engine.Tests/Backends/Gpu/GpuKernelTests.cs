using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Backends.Gpu;

/// <summary>Every kernel of the GPU backend (on ILGPU's CPU accelerator) against the CPU backend, forward and backward, to 1e-4.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class GpuKernelTests(CpuAccelerator fixture)
{
    private readonly CpuKernels _cpu = fixture.Cpu;
    private readonly GpuKernels _gpu = fixture.Gpu;

    private Tensor Up(Tensor t) => fixture.Up(t);

    [Theory]
    [InlineData(1, 1, 1, false, false, 0)]
    [InlineData(7, 5, 3, true, false, 2)]
    [InlineData(13, 17, 19, false, true, 0)]
    [InlineData(37, 3, 129, true, true, 3)]
    [InlineData(64, 66, 9, false, false, 1)]
    public void Gemm_MatchesCpu(int m, int n, int k, bool ta, bool tb, int pad)
    {
        var rng = new Rng((ulong)(m * 131 + n * 7 + k));
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        var a = TestData.Random(rng, aRows * lda);
        var b = TestData.Random(rng, bRows * ldb);
        var c = TestData.Random(rng, m * ldc);
        foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, 1.5f) })
        {
            var cpu = c.Clone();
            var gpu = Up(c);
            _cpu.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cpu, ldc);
            _gpu.Gemm(ta, tb, m, n, k, alpha, Up(a), lda, Up(b), ldb, beta, gpu, ldc);
            CpuAccelerator.AssertAgree(cpu, gpu, $"gemm m={m} n={n} k={k} ta={ta} tb={tb} alpha={alpha} beta={beta}");
        }
    }

    public static TheoryData<int, int, int, int, int, int, int, int, bool> ConvShapes => new()
    {
        { 2, 1, 28, 28, 5, 1, 0, 4, true },   // the fast net's first layer (the CPU's direct single-channel path)
        { 3, 3, 9, 7, 3, 2, 1, 5, false },    // stride and padding
        { 2, 6, 12, 12, 3, 1, 0, 8, true },   // 3x3 over several channels (the CPU's Winograd path)
        { 2, 4, 6, 5, 1, 1, 0, 3, true },     // 1x1
    };

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void Conv2d_ForwardAndBackward_MatchCpu(int batch, int channels, int height, int width, int kernel, int stride, int padding, int outChannels, bool bias)
    {
        var rng = new Rng((ulong)(height * 97 + channels * 13 + kernel));
        var g = new ConvGeometry(batch, channels, height, width, kernel, stride, padding);
        var x = TestData.Random(rng, batch, channels, height, width);
        var w = TestData.Random(rng, outChannels, channels, kernel, kernel);
        var b = bias ? TestData.Random(rng, outChannels) : null;
        var dy = TestData.Random(rng, batch, outChannels, g.OutHeight, g.OutWidth);

        var y = new Tensor(dy.Shape);
        var gy = Tensor.Zeros(_gpu.Device, dy.Shape);
        _cpu.Conv2dForward(x, g, w, outChannels, b, y);
        _gpu.Conv2dForward(Up(x), g, Up(w), outChannels, b is null ? null : Up(b), gy);
        CpuAccelerator.AssertAgree(y, gy, "conv forward");

        foreach (bool inputGradient in new[] { true, false })
        {
            // Gradients accumulate into weightGrad and biasGrad: start both from the same non-zero values.
            var dw = TestData.Random(rng, w.Shape);
            var db = bias ? TestData.Random(rng, outChannels) : null;
            var dx = inputGradient ? new Tensor(x.Shape) : null;
            var gdw = Up(dw);
            var gdb = db is null ? null : Up(db);
            var gdx = inputGradient ? Tensor.Zeros(_gpu.Device, x.Shape) : null;
            _cpu.Conv2dBackward(x, g, w, outChannels, dy, dw, db, dx);
            _gpu.Conv2dBackward(Up(x), g, Up(w), outChannels, Up(dy), gdw, gdb, gdx);
            CpuAccelerator.AssertAgree(dw, gdw, "conv weight gradient");
            if (db is not null)
                CpuAccelerator.AssertAgree(db, gdb!, "conv bias gradient");
            if (dx is not null)
                CpuAccelerator.AssertAgree(dx, gdx!, "conv input gradient");
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void Im2ColAndCol2Im_MatchCpu(int stride, int padding)
    {
        var rng = new Rng(5);
        var g = new ConvGeometry(3, 2, 7, 6, 3, stride, padding);
        var x = TestData.Random(rng, g.Batch, g.Channels, g.Height, g.Width);
        var columns = new Tensor(g.PatchSize, g.Batch * g.OutPlane);
        var gColumns = Tensor.Zeros(_gpu.Device, columns.Shape);
        _cpu.Im2Col(x, g, columns);
        _gpu.Im2Col(Up(x), g, gColumns);
        Assert.Equal(columns.Data, gColumns.ToArray());

        var c = TestData.Random(rng, columns.Shape);
        var dx = new Tensor(x.Shape);
        var gdx = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.Col2Im(c, g, dx);
        _gpu.Col2Im(Up(c), g, gdx);
        CpuAccelerator.AssertAgree(dx, gdx, "col2im");
    }

    public static TheoryData<int, int, int> PoolShapes => new()
    {
        { 2, 2, 0 },   // the presets' 2x2 windows
        { 3, 2, 1 },   // overlapping windows with padding
        { 3, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(PoolShapes))]
    public void MaxPool2d_ForwardAndBackward_MatchCpu(int kernel, int stride, int padding)
    {
        var rng = new Rng((ulong)(kernel * 10 + stride));
        var g = new ConvGeometry(2, 3, 9, 8, kernel, stride, padding);
        // Values on a coarse grid, so windows hold ties: the first maximum must win on both backends.
        var x = TestData.Random(rng, g.Batch, g.Channels, g.Height, g.Width);
        for (int i = 0; i < x.Length; i++)
            x.Data[i] = MathF.Round(x.Data[i] * 2) / 2;
        var y = new Tensor(g.Batch, g.Channels, g.OutHeight, g.OutWidth);
        var argmax = new IntTensor(y.Length);
        var gy = Tensor.Zeros(_gpu.Device, y.Shape);
        var gArgmax = IntTensor.Zeros(_gpu.Device, y.Length);
        _cpu.MaxPool2d(x, g, y, argmax);
        _gpu.MaxPool2d(Up(x), g, gy, gArgmax);
        Assert.Equal(y.Data, gy.ToArray());
        var downloaded = new int[y.Length];
        gArgmax.CopyTo(downloaded);
        Assert.Equal(argmax.Data, downloaded);

        var inference = Tensor.Zeros(_gpu.Device, y.Shape);
        _gpu.MaxPool2d(Up(x), g, inference, null);
        Assert.Equal(y.Data, inference.ToArray());

        var dy = TestData.Random(rng, y.Shape);
        var dx = new Tensor(x.Shape);
        var gdx = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.MaxPool2dBackward(dy, argmax, g, dx);
        _gpu.MaxPool2dBackward(Up(dy), gArgmax, g, gdx);
        CpuAccelerator.AssertAgree(dx, gdx, "maxpool backward");
    }

    [Theory]
    [MemberData(nameof(PoolShapes))]
    public void AvgPool2d_ForwardAndBackward_MatchCpu(int kernel, int stride, int padding)
    {
        var rng = new Rng((ulong)(kernel * 10 + stride + 1));
        var g = new ConvGeometry(2, 3, 9, 8, kernel, stride, padding);
        var x = TestData.Random(rng, g.Batch, g.Channels, g.Height, g.Width);
        var y = new Tensor(g.Batch, g.Channels, g.OutHeight, g.OutWidth);
        var gy = Tensor.Zeros(_gpu.Device, y.Shape);
        _cpu.AvgPool2d(x, g, y);
        _gpu.AvgPool2d(Up(x), g, gy);
        CpuAccelerator.AssertAgree(y, gy, "avgpool forward");

        var dy = TestData.Random(rng, y.Shape);
        var dx = new Tensor(x.Shape);
        var gdx = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.AvgPool2dBackward(dy, g, dx);
        _gpu.AvgPool2dBackward(Up(dy), g, gdx);
        CpuAccelerator.AssertAgree(dx, gdx, "avgpool backward");
    }

    [Fact]
    public void ElementwiseKernels_MatchCpu()
    {
        var rng = new Rng(9);
        const int rows = 7, cols = 3 * 8 + 5;
        var x = TestData.Random(rng, rows, cols);
        var dy = TestData.Random(rng, rows, cols);
        var vector = TestData.Random(rng, cols);

        var y = new Tensor(x.Shape);
        var gy = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.Relu(x, y);
        _gpu.Relu(Up(x), gy);
        Assert.Equal(y.Data, gy.ToArray());

        var dx = new Tensor(x.Shape);
        var gdx = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.ReluBackward(y, dy, dx);
        _gpu.ReluBackward(gy, Up(dy), gdx);
        Assert.Equal(dx.Data, gdx.ToArray());

        var uniforms = new Tensor(x.Shape);
        new Rng(3).NextFloats(uniforms.Data);
        var gMask = Up(uniforms);
        _cpu.DropoutMask(uniforms, 0.3f, 1 / 0.7f);
        _gpu.DropoutMask(gMask, 0.3f, 1 / 0.7f);
        Assert.Equal(uniforms.Data, gMask.ToArray());

        var product = new Tensor(x.Shape);
        var gProduct = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.Multiply(x, uniforms, product);
        _gpu.Multiply(Up(x), gMask, gProduct);
        Assert.Equal(product.Data, gProduct.ToArray());

        var scaled = x.Clone();
        var gScaled = Up(x);
        _cpu.Scale(scaled, 0.37f);
        _gpu.Scale(gScaled, 0.37f);
        Assert.Equal(scaled.Data, gScaled.ToArray());

        var biased = x.Clone();
        var gBiased = Up(x);
        _cpu.AddRowVector(biased, rows, cols, vector);
        _gpu.AddRowVector(gBiased, rows, cols, Up(vector));
        Assert.Equal(biased.Data, gBiased.ToArray());

        var columnSums = vector.Clone();
        var gColumnSums = Up(vector);
        _cpu.AccumulateColumnSums(x, rows, cols, columnSums);
        _gpu.AccumulateColumnSums(Up(x), rows, cols, gColumnSums);
        CpuAccelerator.AssertAgree(columnSums, gColumnSums, "column sums");

        var rowSums = TestData.Random(rng, rows);
        var gRowSums = Up(rowSums);
        _cpu.AccumulateRowSums(x, rows, cols, rowSums);
        _gpu.AccumulateRowSums(Up(x), rows, cols, gRowSums);
        CpuAccelerator.AssertAgree(rowSums, gRowSums, "row sums");
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void BatchNorm_ForwardAndBackward_MatchCpu(bool training, bool batchStatistics)
    {
        var rng = new Rng(training ? 21u : 22u);
        const int batch = 4, channels = 3, plane = 25;
        var x = TestData.Random(rng, batch, channels, plane);
        for (int i = 0; i < x.Length; i++)
            x.Data[i] = x.Data[i] * 3 + 1.5f;   // a mean and variance away from 0 and 1
        var gamma = TestData.Random(rng, channels);
        var beta = TestData.Random(rng, channels);
        var runningMean = TestData.Random(rng, channels);
        var runningVar = new Tensor([0.5f, 1.5f, 2f], channels);
        var (gRunningMean, gRunningVar) = (Up(runningMean), Up(runningVar));
        Tensor mean = new(channels), invStd = new(channels), normalized = new(x.Shape), y = new(x.Shape);
        Tensor gMean = Tensor.Zeros(_gpu.Device, channels), gInvStd = Tensor.Zeros(_gpu.Device, channels);
        Tensor gNormalized = Tensor.Zeros(_gpu.Device, x.Shape), gy = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.BatchNormForward(x, batch, channels, plane, training, 1e-5, 0.1, runningMean, runningVar, gamma, beta, mean, invStd, normalized, y);
        _gpu.BatchNormForward(Up(x), batch, channels, plane, training, 1e-5, 0.1, gRunningMean, gRunningVar, Up(gamma), Up(beta), gMean, gInvStd, gNormalized, gy);
        CpuAccelerator.AssertAgree(runningMean, gRunningMean, "running mean");
        CpuAccelerator.AssertAgree(runningVar, gRunningVar, "running variance");
        CpuAccelerator.AssertAgree(mean, gMean, "mean");
        CpuAccelerator.AssertAgree(invStd, gInvStd, "inverse standard deviation");
        CpuAccelerator.AssertAgree(normalized, gNormalized, "normalized");
        CpuAccelerator.AssertAgree(y, gy, "batch norm output");

        var dy = TestData.Random(rng, x.Shape);
        var gammaGrad = TestData.Random(rng, channels);
        var betaGrad = TestData.Random(rng, channels);
        var (gGammaGrad, gBetaGrad) = (Up(gammaGrad), Up(betaGrad));
        var dx = new Tensor(x.Shape);
        var gdx = Tensor.Zeros(_gpu.Device, x.Shape);
        _cpu.BatchNormBackward(dy, normalized, batch, channels, plane, batchStatistics, gamma, invStd, gammaGrad, betaGrad, dx);
        _gpu.BatchNormBackward(Up(dy), gNormalized, batch, channels, plane, batchStatistics, Up(gamma), gInvStd, gGammaGrad, gBetaGrad, gdx);
        CpuAccelerator.AssertAgree(gammaGrad, gGammaGrad, "gamma gradient");
        CpuAccelerator.AssertAgree(betaGrad, gBetaGrad, "beta gradient");
        CpuAccelerator.AssertAgree(dx, gdx, "batch norm input gradient");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void SoftmaxCrossEntropy_ForwardAndBackward_MatchCpu(double smoothing)
    {
        var rng = new Rng(31);
        const int n = 7, k = 10;
        var logits = TestData.Random(rng, n, k);
        var targets = new IntTensor(n);
        for (int i = 0; i < n; i++)
            targets.Data[i] = (i * 3) % k;
        var gTargets = IntTensor.Zeros(_gpu.Device, n);
        gTargets.CopyFrom(targets.Data);
        var probabilities = new Tensor(n, k);
        var gProbabilities = Tensor.Zeros(_gpu.Device, n, k);
        double loss = _cpu.SoftmaxCrossEntropy(logits, targets, k, smoothing, probabilities);
        double gLoss = _gpu.SoftmaxCrossEntropy(Up(logits), gTargets, k, smoothing, gProbabilities);
        Assert.Equal(loss, gLoss, 1e-6 * loss);
        CpuAccelerator.AssertAgree(probabilities, gProbabilities, "probabilities");

        var grad = new Tensor(n, k);
        var gGrad = Tensor.Zeros(_gpu.Device, n, k);
        _cpu.SoftmaxCrossEntropyBackward(probabilities, targets, k, smoothing, grad);
        _gpu.SoftmaxCrossEntropyBackward(gProbabilities, gTargets, k, smoothing, gGrad);
        CpuAccelerator.AssertAgree(grad, gGrad, "logits gradient");
    }

    [Fact]
    public void GradientNormsAndScale_MatchCpu()
    {
        var rng = new Rng(41);
        var parameters = new[] { new Parameter("a", new Tensor(7)), new Parameter("b", new Tensor(300, 7)), new Parameter("c", new Tensor(1)) };
        var onGpu = parameters.Select(p => new Parameter(p.Name, Up(p.Value))).ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            TestData.Random(rng, parameters[i].Grad.Shape).Data.CopyTo(parameters[i].Grad.Data);
            onGpu[i].Grad.CopyFrom(parameters[i].Grad);
        }
        var norms = new float[3];
        var gNorms = new float[3];
        _cpu.GradientNorms(parameters, norms);
        _gpu.GradientNorms(onGpu, gNorms);
        TestData.AssertClose(norms, gNorms, 1e-5, 0, "gradient norms");

        _cpu.Scale(parameters[1].Grad, 0.25f);
        _gpu.Scale(onGpu[1].Grad, 0.25f);
        Assert.Equal(parameters[1].Grad.Data, onGpu[1].Grad.ToArray());
    }
}
