using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Onnx;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Onnx;

/// <summary>
/// Each layer kind exported alone (with a Flatten after it where its output is an image, so the logits are (N, K)) on
/// random weights and a random non-square (N, C, 9, 11) input, run by ONNX Runtime and compared with the engine.
/// </summary>
public class OnnxLayerExportTests
{
    private const int Height = 9, Width = 11;

    private static readonly IKernels Cpu = new CpuKernels(BackendKind.Managed, 1);

    private static OnnxExportOptions Options(int channels) => new() { Channels = channels, Height = Height, Width = Width };

    private static Tensor Input(ulong seed, int batch, int channels) => TestData.Random(new Rng(seed), batch, channels, Height, Width);

    [Theory]
    [InlineData(1, 3, 4, 3, 1, 0, true)]
    [InlineData(7, 3, 4, 3, 1, 0, true)]
    [InlineData(1, 3, 5, 3, 2, 1, false)]
    [InlineData(7, 3, 5, 3, 2, 1, false)]
    [InlineData(7, 2, 4, 5, 1, 2, true)]
    [InlineData(7, 1, 3, 1, 1, 0, true)]
    [InlineData(7, 3, 4, 4, 3, 1, false)]
    public void Conv2d_MatchesOnnxRuntime(int batch, int inChannels, int outChannels, int kernel, int stride, int padding, bool bias)
    {
        var net = new Sequential(new Conv2d(inChannels, outChannels, kernel, new Rng(1), stride, padding, bias), new Flatten());
        OnnxParity.AssertMatchesEngine(net, Options(inChannels), Input(2, batch, inChannels), Cpu);
    }

    [Theory]
    [InlineData(1, 2, null, 0)]
    [InlineData(7, 2, null, 0)]
    [InlineData(1, 3, 2, 1)]
    [InlineData(7, 3, 2, 1)]
    [InlineData(7, 3, 1, 1)]
    [InlineData(7, 2, 1, 0)]
    [InlineData(7, 4, 3, 2)]
    public void MaxPool2d_MatchesOnnxRuntime(int batch, int kernel, int? stride, int padding)
    {
        var net = new Sequential(new MaxPool2d(kernel, stride, padding), new Flatten());
        OnnxParity.AssertMatchesEngine(net, Options(3), Input(3, batch, 3), Cpu);
    }

    [Theory]
    [InlineData(1, 2, null, 0)]
    [InlineData(7, 2, null, 0)]
    [InlineData(1, 3, 2, 1)]
    [InlineData(7, 3, 2, 1)]
    [InlineData(7, 3, 1, 1)]
    [InlineData(7, 4, 3, 2)]
    public void AvgPool2d_MatchesOnnxRuntime_CountingPaddedZeros(int batch, int kernel, int? stride, int padding)
    {
        var net = new Sequential(new AvgPool2d(kernel, stride, padding), new Flatten());
        OnnxParity.AssertMatchesEngine(net, Options(3), Input(4, batch, 3), Cpu);
    }

    [Theory]
    [InlineData(1, 1e-5)]
    [InlineData(7, 1e-5)]
    [InlineData(7, 1e-3)]
    public void BatchNorm2d_MatchesOnnxRuntime_WithRunningStatistics(int batch, double eps)
    {
        var bn = new BatchNorm2d(3, eps);
        var net = new Sequential(bn, new Flatten());
        SetRandomStatistics(net, seed: 5);
        OnnxParity.AssertMatchesEngine(net, Options(3), Input(6, batch, 3), Cpu);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void BatchNorm1d_MatchesOnnxRuntime_WithRunningStatistics(int batch)
    {
        var net = new Sequential(new Flatten(), new BatchNorm1d(2 * Height * Width, eps: 1e-4));
        SetRandomStatistics(net, seed: 7);
        OnnxParity.AssertMatchesEngine(net, Options(2), Input(8, batch, 2), Cpu);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void ReLU_MatchesOnnxRuntime(int batch)
    {
        var net = new Sequential(new ReLU(), new Flatten());
        OnnxParity.AssertMatchesEngine(net, Options(2), Input(9, batch, 2), Cpu);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Dropout_IsTheIdentity_EvenWhenTheNetworkIsInTrainingMode(int batch)
    {
        var net = new Sequential(new Dropout(0.5, new Rng(1)), new Flatten());
        net.Train();
        var model = OnnxExporter.Export(net, Options(2));
        Assert.DoesNotContain(global::Onnx.ModelProto.Parser.ParseFrom(model).Graph.Node, n => n.OpType == "Dropout");
        var raw = Input(10, batch, 2);
        var onnx = OnnxParity.AssertMatchesEngine(net, Options(2), raw, Cpu);
        Assert.Equal(raw.Data, onnx[OnnxExporter.OutputNames.Logits].Floats);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Flatten_MatchesOnnxRuntime(int batch)
    {
        var net = new Sequential(new Flatten());
        var raw = Input(11, batch, 3);
        var onnx = OnnxParity.AssertMatchesEngine(net, Options(3), raw, Cpu);
        Assert.Equal([batch, 3 * Height * Width], onnx[OnnxExporter.OutputNames.Logits].Shape);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(7, true)]
    [InlineData(1, false)]
    [InlineData(7, false)]
    public void Dense_MatchesOnnxRuntime(int batch, bool bias)
    {
        var net = new Sequential(new Flatten(), new Dense(2 * Height * Width, 6, new Rng(12), bias));
        OnnxParity.AssertMatchesEngine(net, Options(2), Input(13, batch, 2), Cpu);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void PerChannelScaleAndShift_NormaliseTheRawInput(int batch)
    {
        var net = new Sequential(new Conv2d(3, 4, 3, new Rng(14)), new Flatten());
        var options = new OnnxExportOptions { Channels = 3, Height = Height, Width = Width, Scale = [0.5f, -2f, 1f], Shift = [0.25f, 0f, -3f] };
        OnnxParity.AssertMatchesEngine(net, options, Input(15, batch, 3), Cpu);
    }

    // Random weights and biases, running means around 0 and running variances in [0.25, 2.25): not the identity.
    internal static void SetRandomStatistics(Layer network, ulong seed)
    {
        var rng = new Rng(seed);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in network.StateDict())
        {
            var value = TestData.Random(rng, tensor.Shape);
            if (name.EndsWith("running_var", StringComparison.Ordinal))
                for (int i = 0; i < value.Length; i++)
                    value.Data[i] = 0.25f + 2f * rng.NextFloat();
            state[name] = name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? tensor.Clone() : value;
        }
        network.LoadStateDict(state);
    }
}
