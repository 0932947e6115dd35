using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests;

public class TrainingDeterminismTests
{
    private static Sequential SmallNet(Rng rng) => new(
        new Conv2d(1, 6, 3, rng, padding: 1), new BatchNorm2d(6), new MaxPool2d(2), new ReLU(),
        new Conv2d(6, 8, 3, rng), new ReLU(), new Dropout(0.2, rng), new Flatten(), new Dense(8 * 5 * 5, 10, rng));

    /// <summary>Trains a few Adam steps on seeded random images and returns every parameter value.</summary>
    private static float[] Train(BackendKind kind, int threads, ulong seed, int steps = 4)
    {
        var rng = new Rng(seed);
        using var kernels = new CpuKernels(kind, threads);
        var net = SmallNet(rng);
        net.Kernels = kernels;
        var optimizer = new Adam(net.Parameters, 1e-2, 0.7, 0.9);
        var loss = new SoftmaxCrossEntropy(0.1);
        var x = TestData.Random(rng, 16, 1, 14, 14);
        var targets = Enumerable.Range(0, 16).Select(i => i % 10).ToArray();
        for (int s = 0; s < steps; s++)
        {
            optimizer.ZeroGrad();
            loss.Forward(net.Forward(x), targets);
            net.Backward(loss.Backward());
            optimizer.Step();
        }
        return net.Parameters.SelectMany(p => p.Value.Data).ToArray();
    }

    [Theory]
    [InlineData(BackendKind.Managed, 1)]
    [InlineData(BackendKind.Managed, 2)]
    [InlineData(BackendKind.Managed, 3)]
    [InlineData(BackendKind.OpenBlas, 2)]
    public void SameSeedAndThreads_GiveBitIdenticalWeights(BackendKind kind, int threads)
    {
        if (kind == BackendKind.OpenBlas && !Kernels.OpenBlasAvailable)
            kind = BackendKind.Managed;
        var first = Train(kind, threads, 11);
        var second = Train(kind, threads, 11);
        Assert.True(first.AsSpan().SequenceEqual(second), "Two runs with the same seed and thread count differ.");
        var other = Train(kind, threads, 12);
        Assert.False(first.AsSpan().SequenceEqual(other), "A different seed gave the same weights.");
    }

    [Fact]
    public void DifferentThreadCounts_AgreeUpToRounding()
    {
        // Convolution weight gradients are summed per chunk of images, and the chunking follows the thread count,
        // so only the same thread count is bit-identical; others differ by float rounding only.
        // (Compared on gradients: Adam's normalised steps would amplify rounding in near-zero gradients.)
        var one = Gradients(1);
        var three = Gradients(3);
        TestData.AssertClose(one, three, 1e-4, 1e-6, "gradients, 1 vs 3 threads");

        static float[] Gradients(int threads)
        {
            var rng = new Rng(5);
            using var kernels = new CpuKernels(BackendKind.Managed, threads);
            var net = SmallNet(rng);
            net.Kernels = kernels;
            var loss = new SoftmaxCrossEntropy();
            loss.Forward(net.Forward(TestData.Random(rng, 16, 1, 14, 14)), Enumerable.Range(0, 16).Select(i => i % 10).ToArray());
            net.Backward(loss.Backward());
            return net.Parameters.SelectMany(p => p.Grad.Data).ToArray();
        }
    }

    [Theory]
    [InlineData(BackendKind.Managed)]
    [InlineData(BackendKind.OpenBlas)]
    public void SecondTrainingStep_AllocatesNothing(BackendKind kind)
    {
        if (kind == BackendKind.OpenBlas && !Kernels.OpenBlasAvailable)
            kind = BackendKind.Managed;
        var rng = new Rng(1);
        using var kernels = new CpuKernels(kind, 2);
        var net = SmallNet(rng);
        net.Kernels = kernels;
        var optimizer = new Adam(net.Parameters, 1e-3);
        var loss = new SoftmaxCrossEntropy();
        var x = TestData.Random(rng, 8, 1, 14, 14);
        int[] targets = [1, 2, 3, 4, 5, 6, 7, 8];
        void Step()
        {
            optimizer.ZeroGrad();
            loss.Forward(net.Forward(x), targets);
            net.Backward(loss.Backward());
            optimizer.Step();
        }
        Step();
        Step();
        // A per-step allocation shows in every step. The runtime can allocate once on this thread at an unpredictable step
        // of a fresh process (seen once, 1,328 bytes at step 3, in a full suite run beside a training job: tier-up or a
        // first wait, not the engine), so the least of five steps is what must be zero.
        var allocated = new long[5];
        for (int i = 0; i < allocated.Length; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Step();
            allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(allocated.Min() == 0, $"every training step allocated: {string.Join(", ", allocated)} bytes");
    }
}
