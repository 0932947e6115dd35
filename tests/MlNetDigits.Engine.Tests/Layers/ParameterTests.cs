using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;

namespace MlNetDigits.Engine.Tests.Layers;

public class ParameterTests
{
    [Fact]
    public void Sequential_NamesParametersAndBuffersLikePyTorchStateDict()
    {
        var rng = new Rng(1);
        var net = new Sequential(new Conv2d(1, 2, 3, rng), new BatchNorm2d(2), new ReLU(), new Flatten(), new Dense(8, 3, rng));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"], net.Parameters.Select(p => p.Name));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias"],
            net.StateDict().Select(e => e.Key));
    }

    [Fact]
    public void DefaultInit_IsKaimingUniformWithFanInBound()
    {
        var conv = new Conv2d(24, 32, 3, new Rng(5));
        float bound = 1f / MathF.Sqrt(24 * 9);
        Assert.All(conv.Weight.Value.Data, w => Assert.InRange(w, -bound, bound));
        Assert.All(conv.Bias!.Value.Data, b => Assert.InRange(b, -bound, bound));
        // Uniform on [-b, b] has variance b^2 / 3.
        double variance = conv.Weight.Value.Data.Select(w => (double)w * w).Average();
        Assert.InRange(variance, bound * bound / 3 * 0.9, bound * bound / 3 * 1.1);
    }

    [Fact]
    public void SameSeed_GivesSameInitialWeights_DifferentSeed_DifferentOnes()
    {
        var a = Architectures.Fast(new Rng(7)).Parameters.SelectMany(p => p.Value.Data).ToArray();
        var b = Architectures.Fast(new Rng(7)).Parameters.SelectMany(p => p.Value.Data).ToArray();
        var c = Architectures.Fast(new Rng(8)).Parameters.SelectMany(p => p.Value.Data).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Dropout_InEvalMode_PassesInputThrough_AndInTrainingZeroesAboutP()
    {
        var dropout = new Dropout(0.25, new Rng(3));
        var x = new Tensor(100, 100);
        x.Span.Fill(1f);
        var y = dropout.Forward(x);
        double zeros = y.Data.Count(v => v == 0f) / (double)y.Length;
        Assert.InRange(zeros, 0.23, 0.27);
        Assert.All(y.Data, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.75f) < 1e-6));
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
    }

    [Theory]
    [InlineData(0.25, 1003)]
    [InlineData(0.5, 7)]
    public void Dropout_MaskIsTheOneDrawnElementByElement(double p, int length)
    {
        // The layer draws its uniforms in bulk and selects with vector compares (odd lengths leave a scalar tail);
        // the mask must be the one that one NextFloat per element gives, and the generator must end in the same state.
        var rng = new Rng(11);
        var dropout = new Dropout(p, rng);
        var x = new Tensor(length);
        x.Span.Fill(1f);
        var y = dropout.Forward(x);
        var reference = new Rng(11);
        float keep = (float)(1.0 / (1.0 - p));
        for (int i = 0; i < length; i++)
            Assert.Equal(reference.NextFloat() < (float)p ? 0f : keep, y.Data[i]);
        Assert.Equal(reference.GetState(), rng.GetState());
    }
}
