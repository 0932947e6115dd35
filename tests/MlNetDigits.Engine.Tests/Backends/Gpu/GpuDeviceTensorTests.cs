using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Backends.Gpu;

/// <summary>Tensors in device memory: where they live, how they move, and what a network on the device reads and writes.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class GpuDeviceTensorTests(CpuAccelerator fixture)
{
    private static Sequential SmallNet(Rng rng) => new(
        new Conv2d(1, 6, 3, rng, padding: 1), new BatchNorm2d(6), new MaxPool2d(2), new ReLU(),
        new Conv2d(6, 8, 3, rng), new ReLU(), new Dropout(0.2, rng), new Flatten(), new Dense(8 * 5 * 5, 10, rng));

    [Fact]
    public void Data_ThrowsNamingTheDevice_ForADeviceTensor()
    {
        var t = Tensor.Zeros(fixture.Gpu.Device, 2, 3);
        var e = Assert.Throws<InvalidOperationException>(() => t.Data);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains(fixture.Gpu.Device.Name, e.Message);
        Assert.Contains("CopyTo", e.Message);
    }

    [Fact]
    public void CopiesAndMoves_KeepTheValues()
    {
        var host = TestData.Random(new Rng(1), 3, 5);
        var device = Tensor.Zeros(fixture.Gpu.Device, 3, 5);
        device.CopyFrom(host);
        Assert.Equal(host.Data, device.ToArray());
        var clone = device.Clone();
        Assert.True(clone.IsOnHost);
        Assert.Equal(host.Data, clone.Data);
        var view = device.Reshape(15);
        Assert.True(view.SharesStorageWith(device));
        Assert.Equal(host.Data, view.ToArray());

        var moving = host.Clone();
        moving.MoveTo(fixture.Gpu.Device);
        Assert.Same(fixture.Gpu.Device, moving.Device);
        Assert.Equal(host.Data, moving.ToArray());
        moving.MoveTo(null);
        Assert.True(moving.IsOnHost);
        Assert.Equal(host.Data, moving.Data);

        device.Clear();
        Assert.All(device.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void HostKernels_RefuseADeviceTensor()
    {
        var device = Tensor.Zeros(fixture.Gpu.Device, 4);
        Assert.Throws<InvalidOperationException>(() => fixture.Cpu.Relu(device, new Tensor(4)));
        var e = Assert.Throws<ArgumentException>(() => fixture.Gpu.Relu(new Tensor(4), device));
        Assert.Contains("in host memory", e.Message);
    }

    [Fact]
    public void SettingKernels_MovesTheNetworkToTheDeviceAndBack()
    {
        var net = SmallNet(new Rng(3));
        var before = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var x = TestData.Random(new Rng(4), 2, 1, 14, 14);
        net.Eval();
        net.Kernels = fixture.Cpu;
        var cpuLogits = net.Forward(x).Clone();

        net.Kernels = fixture.Gpu;
        Assert.All(net.Parameters, p => Assert.Same(fixture.Gpu.Device, p.Value.Device));
        Assert.All(net.Parameters, p => Assert.Same(fixture.Gpu.Device, p.Grad.Device));
        var bn = (BatchNorm2d)net[1];
        Assert.Same(fixture.Gpu.Device, bn.RunningMean.Device);
        var gpuLogits = net.Forward(x);   // a host batch: Sequential copies it to the device
        Assert.Same(fixture.Gpu.Device, gpuLogits.Device);
        CpuAccelerator.AssertAgree(cpuLogits, gpuLogits, "logits");

        // Saved from the device, the state dictionary is the one the network had on the host.
        using var saved = new MemoryStream();
        StateDictionary.Save(saved, net.StateDict());
        saved.Position = 0;
        var loaded = StateDictionary.Load(saved);
        foreach (var (name, tensor) in before)
            Assert.Equal(tensor.Data, loaded[name].Data);

        net.Kernels = fixture.Cpu;
        Assert.All(net.Parameters, p => Assert.True(p.Value.IsOnHost));
        foreach (var (name, tensor) in net.StateDict())
            Assert.Equal(before[name].Data, tensor.Data);
    }

    [Fact]
    public void TrainingOnTheDevice_IsBitIdenticalForTheSameSeed_AndCopiesBackForExport()
    {
        var first = Train(11);
        var second = Train(11);
        Assert.Equal(first, second);
        Assert.NotEqual(first, Train(12));

        float[] Train(ulong seed)
        {
            var rng = new Rng(seed);
            var net = SmallNet(rng);
            net.Kernels = fixture.Gpu;
            var optimizer = new Adam(net.Parameters, 1e-2, 0.7, 0.9);
            var loss = new SoftmaxCrossEntropy(0.1, fixture.Gpu);
            var x = TestData.Random(rng, 8, 1, 14, 14);
            int[] targets = [0, 1, 2, 3, 4, 5, 6, 7];
            for (int s = 0; s < 3; s++)
            {
                optimizer.ZeroGrad();
                loss.Forward(net.Forward(x), targets);
                net.Backward(loss.Backward());
                GradientClipping.ClipGradNorm(net.Parameters, 1f);
                optimizer.Step();
            }
            net.Kernels = Kernels.Host;   // back to host memory, as the trainer does before exporting
            return net.Parameters.SelectMany(p => p.Value.Data).ToArray();
        }
    }
}
