using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Backends.Gpu;

/// <summary>The optimizers run on the GPU backend's device (state allocated there) and agree with the CPU, step after step.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class GpuOptimizerTests(CpuAccelerator fixture)
{
    public static TheoryData<string, OptimizerOptions> Optimizers => new()
    {
        { "sgd", new() { LearningRate = 0.05 } },
        { "sgd", new() { LearningRate = 0.05, Momentum = 0.9, Dampening = 0.1, WeightDecay = 1e-2 } },
        { "sgd", new() { LearningRate = 0.05, Momentum = 0.9, Nesterov = true } },
        { "adam", new() { LearningRate = 0.01, AmsGrad = true, WeightDecay = 1e-2 } },
        { "adamw", new() { LearningRate = 0.01, WeightDecay = 0.1 } },
        { "nadam", new() { LearningRate = 0.01, WeightDecay = 1e-2 } },
        { "adadelta", new() { LearningRate = 1.0, WeightDecay = 1e-2 } },
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void OptimizerSteps_OnTheDevice_MatchCpu(string name, OptimizerOptions options)
    {
        const int length = 2 * 512 + 7;
        var rng = new Rng(51);
        var initial = TestData.Random(rng, length);
        var cpu = new Parameter("p", initial.Clone());
        var gpu = new Parameter("p", fixture.Up(initial));
        var cpuOptimizer = OptimizerFactory.Create(name, [cpu], options);
        var gpuOptimizer = OptimizerFactory.Create(name, [gpu], options);
        for (int step = 0; step < 4; step++)
        {
            // Gradients of both signs and of very different sizes, the same on both backends.
            var grad = TestData.Random(rng, length);
            for (int i = 0; i < length; i++)
                grad.Data[i] *= MathF.Pow(10, i % 5 - 2);
            cpu.Grad.CopyFrom(grad);
            gpu.Grad.CopyFrom(grad);
            cpuOptimizer.Step();
            gpuOptimizer.Step();
            Assert.NotNull(gpu.Value.Device);
            CpuAccelerator.AssertAgree(cpu.Value, gpu.Value, $"{name} step {step + 1}");
        }

        // The state saved from the device is the CPU's state, to rounding.
        using var cpuState = new MemoryStream();
        using var gpuState = new MemoryStream();
        cpuOptimizer.SaveState(cpuState);
        gpuOptimizer.SaveState(gpuState);
        Assert.Equal(cpuState.Length, gpuState.Length);
    }

    [Fact]
    public void ClipGradNorm_OnTheDevice_MatchesCpu()
    {
        var rng = new Rng(61);
        var shapes = new[] { new[] { 5, 3 }, new[] { 300 }, new[] { 1 } };
        var cpu = shapes.Select((s, i) => new Parameter($"p{i}", new Tensor(s))).ToArray();
        var gpu = cpu.Select(p => new Parameter(p.Name, fixture.Up(p.Value))).ToArray();
        for (int i = 0; i < cpu.Length; i++)
        {
            var grad = TestData.Random(rng, shapes[i]);
            cpu[i].Grad.CopyFrom(grad);
            gpu[i].Grad.CopyFrom(grad);
        }
        float total = GradientClipping.ClipGradNorm(cpu, 1f);
        float gTotal = GradientClipping.ClipGradNorm(gpu, 1f);
        Assert.Equal(total, gTotal, 1e-5f * total);
        Assert.True(total > 1f, "the test gradients must be clipped");
        for (int i = 0; i < cpu.Length; i++)
            CpuAccelerator.AssertAgree(cpu[i].Grad, gpu[i].Grad, $"clipped gradient {i}");
    }
}
