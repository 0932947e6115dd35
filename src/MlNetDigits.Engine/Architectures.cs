using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;

namespace MlNetDigits.Engine;

/// <summary>The reference MNIST networks the benchmarks and trainers use, built from one seeded <see cref="Rng"/>.</summary>
public static class Architectures
{
    /// <summary>
    /// "fast": Conv2d(1,24,5) → MaxPool(2) → ReLU → Conv2d(24,32,3) → MaxPool(2) → ReLU → Flatten → Dense(800,256) → ReLU → Dense(256,10),
    /// for (N, 1, 28, 28) inputs.
    /// </summary>
    public static Sequential Fast(Rng rng, IKernels? kernels = null, int classes = 10)
    {
        var net = new Sequential(
            new Conv2d(1, 24, 5, rng), new MaxPool2d(2), new ReLU(),
            new Conv2d(24, 32, 3, rng), new MaxPool2d(2), new ReLU(),
            new Flatten(), new Dense(800, 256, rng), new ReLU(), new Dense(256, classes, rng));
        if (kernels is not null)
            net.Kernels = kernels;
        return net;
    }

    /// <summary>
    /// "classic" (PyTorch examples/mnist): Conv2d(1,32,3) → ReLU → Conv2d(32,64,3) → ReLU → MaxPool(2) → Dropout(0.25) → Flatten →
    /// Dense(9216,128) → ReLU → Dropout(0.5) → Dense(128,10), for (N, 1, 28, 28) inputs.
    /// </summary>
    public static Sequential Classic(Rng rng, IKernels? kernels = null, int classes = 10)
    {
        var net = new Sequential(
            new Conv2d(1, 32, 3, rng), new ReLU(), new Conv2d(32, 64, 3, rng), new ReLU(), new MaxPool2d(2),
            new Dropout(0.25, rng), new Flatten(), new Dense(9216, 128, rng), new ReLU(), new Dropout(0.5, rng),
            new Dense(128, classes, rng));
        if (kernels is not null)
            net.Kernels = kernels;
        return net;
    }
}
