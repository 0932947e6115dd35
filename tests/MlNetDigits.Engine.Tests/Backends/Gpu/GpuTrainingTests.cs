using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Helpers;
using MlNetDigits.Engine.Tests.Onnx;

namespace MlNetDigits.Engine.Tests.Backends.Gpu;

/// <summary>
/// A few training steps of each preset network with its optimizer, on the GPU backend (CPU accelerator) and on the CPU
/// backend from the same seed and images: the losses agree to 1e-3, and so does every weight and buffer tensor, as the
/// norm of its difference over its own norm. (Element by element would be the wrong measure after training: where two
/// pooled values differ by less than rounding, each backend may pick a different maximum, and Adam's normalised step
/// turns a gradient of rounding size into a full step, so a few single weights differ by a step's fraction.) Small
/// batches keep it quick.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class GpuTrainingTests(CpuAccelerator fixture)
{
    private const int Batch = 8, Steps = 2;
    private const double Tolerance = 1e-3;

    public static TheoryData<string> Presets => ["fast", "classic", "best"];

    private static Sequential Build(string preset, Rng rng) => preset switch
    {
        "fast" => Architectures.Fast(rng),
        "classic" => Architectures.Classic(rng),
        _ => TrainedPresets.Best(rng),
    };

    private static Optimizer OptimizerFor(string preset, IReadOnlyList<Parameter> parameters) => preset switch
    {
        "fast" => new Adam(parameters, 1e-2, 0.7, 0.9),
        "classic" => new Adadelta(parameters, 1.0),
        _ => new AdamW(parameters, 3e-3, weightDecay: 1e-4),
    };

    /// <summary>Trains <paramref name="preset"/> for a few steps on <paramref name="kernels"/>; returns the losses and the state dictionary on the host.</summary>
    private static (float[] Losses, Dictionary<string, Tensor> State) Train(string preset, IKernels kernels)
    {
        var net = Build(preset, new Rng(77));
        net.Kernels = kernels;
        var optimizer = OptimizerFor(preset, net.Parameters);
        var loss = new SoftmaxCrossEntropy(preset == "best" ? 0.05 : 0, kernels);
        // MNIST's blank background makes many identical patches, whose convolutions tie exactly on one backend and
        // differ by rounding on the other (the CPU's kernels round differently by position), so max pooling picks other
        // maxima and Adam turns that into whole steps. A little noise on the pixels leaves no exact ties to break.
        var images = SampleMnist.Normalize(SampleMnist.Images("train-images-idx3-ubyte.gz", Steps * Batch));
        var noise = new Rng(5);
        for (int i = 0; i < images.Length; i++)
            images.Data[i] += 0.01f * (float)noise.NextGaussian();
        var labels = SampleMnist.Labels("train-labels-idx1-ubyte.gz", Steps * Batch);
        var x = new Tensor(Batch, 1, 28, 28);
        var losses = new float[Steps];
        net.Train();
        for (int step = 0; step < Steps; step++)
        {
            images.Data.AsSpan(step * x.Length, x.Length).CopyTo(x.Data);
            optimizer.ZeroGrad();
            losses[step] = loss.Forward(net.Forward(x), labels.AsSpan(step * Batch, Batch));
            net.Backward(loss.Backward());
            if (preset == "best")
                GradientClipping.ClipGradNorm(net.Parameters, 5f);
            optimizer.Step();
        }
        return (losses, net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone()));
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void PresetTrainingSteps_OnTheGpuBackend_MatchCpu(string preset)
    {
        var (cpuLosses, cpuState) = Train(preset, fixture.Cpu);
        var (gpuLosses, gpuState) = Train(preset, fixture.Gpu);
        TestData.AssertClose(cpuLosses, gpuLosses, 1e-3, 0, $"{preset} losses");
        Assert.Equal(cpuState.Keys, gpuState.Keys);
        (double Relative, string Name) worst = (0, "");
        foreach (var (name, expected) in cpuState)
        {
            double difference = 0, norm = 0;
            var actual = gpuState[name].Data;
            for (int i = 0; i < actual.Length; i++)
            {
                difference += Math.Pow(actual[i] - expected.Data[i], 2);
                norm += Math.Pow(expected.Data[i], 2);
            }
            double relative = Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-30);
            if (relative >= worst.Relative)
                worst = (relative, name);
        }
        Assert.True(worst.Relative <= Tolerance, $"{preset} {worst.Name} after {Steps} steps differs by {worst.Relative:E2} of its norm.");
    }
}
