using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Onnx;

/// <summary>
/// The three preset networks at full size, each trained for a few AdamW steps on the committed MNIST sample (normalised
/// as the exported graph normalises raw pixels), so weights and batch-norm running statistics are no longer their
/// initial values. Built once per test class that uses it, on kernels of its own that the class's tests then share.
/// </summary>
public sealed class TrainedPresets : IDisposable
{
    public const int Steps = 8, BatchSize = 32;

    public static readonly string[] Names = ["fast", "classic", "best"];

    private readonly Dictionary<string, Sequential> _networks = new(StringComparer.Ordinal);

    public TrainedPresets()
    {
        Kernels = new CpuKernels(BackendKind.Auto, 2);
        var images = SampleMnist.Normalize(SampleMnist.Images("train-images-idx3-ubyte.gz", Steps * BatchSize)); // (Steps * B, 1, 28, 28)
        var labels = SampleMnist.Labels("train-labels-idx1-ubyte.gz", Steps * BatchSize);
        _networks["fast"] = Train(Architectures.Fast(new Rng(21), Kernels), images, labels);
        _networks["classic"] = Train(Architectures.Classic(new Rng(22), Kernels), images, labels);
        var best = Best(new Rng(23));
        best.Kernels = Kernels;
        _networks["best"] = Train(best, images, labels);
    }

    /// <summary>The kernels the networks run on; not to be used by two test classes at once.</summary>
    public CpuKernels Kernels { get; }

    public void Dispose() => Kernels.Dispose();

    public Sequential this[string name] => _networks[name];

    /// <summary>
    /// "best": [conv 32 3 bias=false, bn, relu] x2, maxpool 2, [conv 64 3 bias=false, bn, relu] x2, maxpool 2, flatten,
    /// dense 256 bias=false, bn1d, relu, dropout 0.3, dense 10, for (N, 1, 28, 28) inputs.
    /// </summary>
    public static Sequential Best(Rng rng) => new(
        new Conv2d(1, 32, 3, rng, bias: false), new BatchNorm2d(32), new ReLU(),
        new Conv2d(32, 32, 3, rng, bias: false), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, rng, bias: false), new BatchNorm2d(64), new ReLU(),
        new Conv2d(64, 64, 3, rng, bias: false), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Dense(64 * 4 * 4, 256, rng, bias: false), new BatchNorm1d(256), new ReLU(), new Dropout(0.3, rng),
        new Dense(256, 10, rng));

    // images: (Steps * B, 1, 28, 28) normalised
    private static Sequential Train(Sequential network, Tensor images, int[] labels)
    {
        var optimizer = new AdamW(network.Parameters, 3e-3, weightDecay: 1e-4);
        var loss = new SoftmaxCrossEntropy(kernels: network.Kernels);
        int plane = images.Length / images.Shape[0];
        var batch = new Tensor(BatchSize, 1, 28, 28);
        network.Train();
        for (int step = 0; step < Steps; step++)
        {
            images.Data.AsSpan(step * BatchSize * plane, BatchSize * plane).CopyTo(batch.Data);
            optimizer.ZeroGrad();
            loss.Forward(network.Forward(batch), labels.AsSpan(step * BatchSize, BatchSize));
            network.Backward(loss.Backward());
            optimizer.Step();
        }
        network.Eval();
        return network;
    }
}
