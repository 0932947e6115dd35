using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Tests.Fixtures;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Layers;

/// <summary>Compares outputs and gradients with PyTorch's (scripts/fixtures/make_engine_fixtures.py, computed in float64).</summary>
public class TorchFixtureTests
{
    private const double Rtol = 1e-5, Atol = 1e-5;

    public static TheoryData<string> Backends() => Kernels.OpenBlasAvailable ? new() { "managed", "openblas" } : new() { "managed" };

    private static IKernels Create(string backend) => new CpuKernels(backend == "openblas" ? BackendKind.OpenBlas : BackendKind.Managed, 2);

    private static Layer Build(string fixture, Rng rng) => fixture switch
    {
        "conv2d" => new Conv2d(3, 4, 3, rng),
        "conv2d_stride_padding" => new Conv2d(2, 3, 3, rng, stride: 2, padding: 1),
        "conv2d_no_bias" => new Conv2d(2, 3, 2, rng, bias: false),
        "maxpool2d" => new MaxPool2d(2),
        "maxpool2d_stride_padding" => new MaxPool2d(3, 2, 1),
        "avgpool2d" => new AvgPool2d(2),
        "avgpool2d_stride_padding" => new AvgPool2d(3, 2, 1),
        "dense" => new Dense(7, 5, rng),
        "relu" => new ReLU(),
        "flatten" => new Flatten(),
        "batchnorm2d" => new BatchNorm2d(3),
        "batchnorm1d" => new BatchNorm1d(5),
        _ => throw new ArgumentException(fixture),
    };

    public static TheoryData<string, string> LayerCases()
    {
        var data = new TheoryData<string, string>();
        string[] names = ["conv2d", "conv2d_stride_padding", "conv2d_no_bias", "maxpool2d", "maxpool2d_stride_padding", "avgpool2d",
            "avgpool2d_stride_padding", "dense", "relu", "flatten", "batchnorm2d", "batchnorm1d"];
        foreach (var name in names)
            foreach (var backend in Backends())
                data.Add(name, backend);
        return data;
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Layer_ForwardAndBackward_MatchPyTorch(string fixture, string backend)
    {
        var f = TorchFixture.Load(fixture);
        var layer = Build(fixture, new Rng(1));
        layer.Kernels = Create(backend);
        // Parameters from the fixture; buffers keep their initial values (the fixture's are those after the forward).
        var buffers = layer.NamedBuffers().Select(b => b.Key).ToHashSet();
        layer.LoadStateDict(layer.StateDict().ToDictionary(e => e.Key, e => buffers.Contains(e.Key) ? e.Value : f[e.Key]));
        layer.ComputeInputGradient = true;

        var y = layer.Forward(f["x"]);
        TestData.AssertClose(f["y"], y, Rtol, Atol, $"{fixture} y");
        var dx = layer.Backward(f["dy"]);
        TestData.AssertClose(f["dx"], dx, Rtol, Atol, $"{fixture} dx");
        foreach (var p in layer.Parameters)
            TestData.AssertClose(f["grad." + p.Name], p.Grad, Rtol, Atol, $"{fixture} grad.{p.Name}");
        if (layer is BatchNorm bn)
        {
            // Running statistics after one training step (momentum 0.1, unbiased variance), then evaluation mode.
            TestData.AssertClose(f["running_mean"], bn.RunningMean, Rtol, Atol, "running_mean");
            TestData.AssertClose(f["running_var"], bn.RunningVar, Rtol, Atol, "running_var");
            bn.Eval();
            TestData.AssertClose(f["eval.y"], bn.Forward(f["x"]), Rtol, Atol, "eval y");
            TestData.AssertClose(f["eval.dx"], bn.Backward(f["dy"]), Rtol, Atol, "eval dx");
        }
    }

    [Theory]
    [InlineData("cross_entropy", 0.0)]
    [InlineData("cross_entropy_smoothing", 0.1)]
    public void SoftmaxCrossEntropy_MatchesPyTorch(string fixture, double smoothing)
    {
        var f = TorchFixture.Load(fixture);
        var loss = new SoftmaxCrossEntropy(smoothing);
        var targets = f["targets"].Data.Select(t => (int)t).ToArray();
        Assert.Equal(f.Scalar("loss"), loss.Forward(f["logits"], targets), 5);
        TestData.AssertClose(f["dlogits"], loss.Backward(), Rtol, 1e-7, "dlogits");
    }

    /// <summary>Regenerates the large weights the fixture script writes as a formula (see hashed_uniform there).</summary>
    private static Tensor Hashed(int[] shape, double bound)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
        {
            double frac = unchecked((uint)i * 0x9E3779B1u + 12345u) / 4294967296.0;
            t.Data[i] = (float)(bound * (2 * frac - 1));
        }
        return t;
    }

    private static void CheckNetwork(string fixture, Sequential net, double smoothing, string backend)
    {
        var f = TorchFixture.Load(fixture);
        net.Kernels = Create(backend);
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in net.StateDict())
        {
            if (f.Names.Contains(name) && !name.Contains("running_"))
                state[name] = f[name];
            else if (f.Names.Contains("hashed." + name))
                state[name] = Hashed(tensor.Shape, f.Scalar("hashed." + name));
            else
                state[name] = tensor;   // num_batches_tracked
        }
        net.LoadStateDict(state);
        var targets = f["targets"].Data.Select(t => (int)t).ToArray();
        var loss = new SoftmaxCrossEntropy(smoothing);

        net.ZeroGrad();
        var logits = net.Forward(f["x"]);
        TestData.AssertClose(f["logits"], logits, 1e-4, 1e-5, $"{fixture} logits");
        Assert.Equal(f.Scalar("loss"), loss.Forward(logits, targets), 5);
        net.Backward(loss.Backward());
        foreach (var p in net.Parameters)
        {
            if (f.Names.Contains("grad." + p.Name))
            {
                TestData.AssertClose(f["grad." + p.Name], p.Grad, 1e-4, 1e-6, $"{fixture} grad.{p.Name}");
                continue;
            }
            var rows = f["grad_rows16." + p.Name];
            int cols = p.Grad.Shape[1];
            var sampled = new float[rows.Length];
            for (int r = 0; r < rows.Shape[0]; r++)
                Array.Copy(p.Grad.Data, r * 16 * cols, sampled, r * cols, cols);
            TestData.AssertClose(rows.Data, sampled, 1e-4, 1e-6, $"{fixture} grad.{p.Name} (every 16th row)");
        }
        foreach (var (name, buffer) in net.NamedBuffers())
            if (f.Names.Contains("after." + name))
                TestData.AssertClose(f["after." + name], buffer, 1e-5, 1e-6, $"{fixture} {name}");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void FastCnn_LogitsLossAndEveryGradient_MatchPyTorch(string backend)
        => CheckNetwork("fast_cnn", Architectures.Fast(new Rng(1)), 0.0, backend);

    [Theory]
    [MemberData(nameof(Backends))]
    public void BatchNormCnnWithLabelSmoothing_LogitsLossGradientsAndRunningStats_MatchPyTorch(string backend)
    {
        var rng = new Rng(1);
        var net = new Sequential(
            new Conv2d(1, 4, 3, rng, padding: 1), new BatchNorm2d(4), new ReLU(), new AvgPool2d(2),
            new Conv2d(4, 6, 3, rng, stride: 2), new ReLU(), new Flatten(),
            new Dense(6 * 3 * 3, 16, rng), new BatchNorm1d(16), new ReLU(), new Dense(16, 10, rng));
        CheckNetwork("bn_cnn", net, 0.1, backend);
    }
}
