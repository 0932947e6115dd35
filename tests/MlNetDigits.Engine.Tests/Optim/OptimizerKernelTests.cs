using MlNetDigits.Engine.Optim;

namespace MlNetDigits.Engine.Tests.Optim;

public sealed class OptimizerKernelTests
{
    public static TheoryData<string> OptimizerNames => ["sgd", "adam", "adamw", "nadam", "adadelta"];

    private static OptimizerOptions OptionsFor(string name) => name switch
    {
        "sgd" => new() { LearningRate = 0.05, Momentum = 0.9, Dampening = 0.1, WeightDecay = 1e-2 },
        "adam" => new() { LearningRate = 0.01, AmsGrad = true, WeightDecay = 1e-2 },
        "adamw" => new() { LearningRate = 0.01, WeightDecay = 0.1 },
        "nadam" => new() { LearningRate = 0.01, WeightDecay = 1e-2 },
        _ => new() { LearningRate = 1.0, WeightDecay = 1e-2 },
    };

    /// <summary>
    /// The eight-lane loop and the scalar tail must compute the same thing: the same values, shifted by 3 positions so
    /// that each element moves between the two paths, end bit-identical after several steps.
    /// </summary>
    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Step_IsBitIdenticalInTheVectorLoopAndTheScalarTail(string name)
    {
        const int length = 6 * 512 + 7, shift = 3;
        var random = new Random(7);
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        var straight = new Parameter("p", new Tensor([.. values], length));
        var shifted = new Parameter("p", new Tensor(length));
        for (int i = 0; i < length; i++)
            shifted.Value.Data[(i + shift) % length] = values[i];
        var straightOptimizer = OptimizerFactory.Create(name, [straight], OptionsFor(name));
        var shiftedOptimizer = OptimizerFactory.Create(name, [shifted], OptionsFor(name));

        for (int step = 0; step < 4; step++)
        {
            for (int i = 0; i < length; i++)
            {
                float g = MathF.Cos(i * 0.37f + step) * (step + 1);
                straight.Grad.Data[i] = g;
                shifted.Grad.Data[(i + shift) % length] = g;
            }
            straightOptimizer.Step();
            shiftedOptimizer.Step();
        }

        for (int i = 0; i < length; i++)
            Assert.Equal(straight.Value.Data[i], shifted.Value.Data[(i + shift) % length]);
        Assert.NotEqual(values, straight.Value.Data);
    }
}
