using MlNetDigits.Engine;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Layers;

public class SoftmaxCrossEntropyTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    public void Backward_MatchesFiniteDifferences(double smoothing)
    {
        var rng = new Rng(21);
        var logits = TestData.Random(rng, 5, 7);
        int[] targets = [0, 6, 3, 3, 1];
        var loss = new SoftmaxCrossEntropy(smoothing);
        loss.Forward(logits, targets);
        var grad = loss.Backward().Clone();
        for (int i = 0; i < logits.Length; i++)
        {
            float original = logits.Data[i];
            float plus = original + 1e-2f, minus = original - 1e-2f;
            logits.Data[i] = plus;
            double lp = loss.Forward(logits, targets);
            logits.Data[i] = minus;
            double lm = loss.Forward(logits, targets);
            logits.Data[i] = original;
            double numeric = (lp - lm) / ((double)plus - minus);
            Assert.True(Math.Abs(numeric - grad.Data[i]) < 2e-4 + 1e-2 * Math.Abs(numeric), $"dlogits[{i}]: {grad.Data[i]} vs {numeric}");
        }
    }

    [Fact]
    public void Forward_ThrowsGivenATargetOutsideTheClasses()
    {
        var loss = new SoftmaxCrossEntropy();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Forward(new Tensor(2, 3), [0, 3]));
        Assert.Contains("Target 3 at row 1", ex.Message);
    }

    [Fact]
    public void Forward_IsStableForHugeLogits()
    {
        var logits = new Tensor([1000f, -1000f, 0f, 3000f, 3000f, 3000f], 2, 3);
        var loss = new SoftmaxCrossEntropy().Forward(logits, [0, 2]);
        Assert.Equal((0 + Math.Log(3)) / 2, loss, 4);
    }
}
