using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Layers;

public class GradientCheckTests
{
    private static readonly IKernels Managed = new CpuKernels(BackendKind.Managed, 2);

    /// <summary>Values spaced at least 0.05 apart and 0.025 away from zero, so a 1e-3 step never changes a max or a ReLU branch.</summary>
    private static Tensor Distinct(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        var order = Enumerable.Range(0, t.Length).ToArray();
        rng.Shuffle(order.AsSpan());
        for (int i = 0; i < t.Length; i++)
            t.Data[i] = (order[i] - t.Length / 2 + 0.5f) * 0.05f;
        return t;
    }

    [Theory]
    [InlineData(3, 4, 3, 1, 0)]
    [InlineData(2, 3, 3, 2, 1)]
    [InlineData(1, 2, 5, 1, 2)]
    public void Conv2d_Backward_MatchesFiniteDifferences(int inC, int outC, int k, int stride, int padding)
    {
        var rng = new Rng(1);
        var conv = new Conv2d(inC, outC, k, rng, stride, padding, kernels: Managed);
        GradientCheck.Check(conv, TestData.Random(rng, 2, inC, 7, 6), 2);
    }

    [Fact]
    public void Dense_Backward_MatchesFiniteDifferences()
    {
        var rng = new Rng(3);
        GradientCheck.Check(new Dense(9, 4, rng, kernels: Managed), TestData.Random(rng, 5, 9), 4);
    }

    [Theory]
    [InlineData(2, null, 0)]
    [InlineData(3, 2, 1)]
    public void MaxPool2d_Backward_MatchesFiniteDifferences(int k, int? stride, int padding)
    {
        var rng = new Rng(5);
        GradientCheck.Check(new MaxPool2d(k, stride, padding) { Kernels = Managed }, Distinct(rng, 2, 2, 6, 7), 6, h: 1e-3);
    }

    [Theory]
    [InlineData(2, null, 0)]
    [InlineData(3, 2, 1)]
    public void MaxPool2d_BackwardAfterAnEvalForward_RoutesTheGradientLikeTraining(int k, int? stride, int padding)
    {
        // Eval mode skips recording the maxima; a backward pass (a saliency map, say) must still find them.
        var rng = new Rng(6);
        var x = Distinct(rng, 2, 2, 6, 7);
        var training = new MaxPool2d(k, stride, padding) { Kernels = Managed };
        var inference = new MaxPool2d(k, stride, padding) { Kernels = Managed };
        inference.Eval();
        var y = training.Forward(x);
        Assert.Equal(y.Data, inference.Forward(x).Data);
        var dy = TestData.Random(rng, y.Shape);
        Assert.Equal(training.Backward(dy).Data, inference.Backward(dy).Data);
    }

    [Theory]
    [InlineData(2, null, 0)]
    [InlineData(3, 2, 1)]
    public void AvgPool2d_Backward_MatchesFiniteDifferences(int k, int? stride, int padding)
    {
        var rng = new Rng(7);
        GradientCheck.Check(new AvgPool2d(k, stride, padding) { Kernels = Managed }, TestData.Random(rng, 2, 2, 6, 7), 8);
    }

    [Fact]
    public void ReLU_Backward_MatchesFiniteDifferences()
    {
        var rng = new Rng(9);
        GradientCheck.Check(new ReLU { Kernels = Managed }, Distinct(rng, 3, 17), 10, h: 1e-3);
    }

    [Fact]
    public void Flatten_Backward_MatchesFiniteDifferences()
    {
        var rng = new Rng(11);
        GradientCheck.Check(new Flatten(), TestData.Random(rng, 2, 3, 2, 2), 12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm2d_Backward_MatchesFiniteDifferences(bool training)
    {
        var rng = new Rng(13);
        var bn = new BatchNorm2d(3);
        Init.Uniform(bn.Weight.Value, 0.5f, 1.5f, rng);
        Init.Uniform(bn.Bias.Value, -1f, 1f, rng);
        Init.Uniform(bn.RunningMean, -0.5f, 0.5f, rng);
        Init.Uniform(bn.RunningVar, 0.5f, 2f, rng);
        bn.Train(training);
        GradientCheck.Check(bn, TestData.Random(rng, 4, 3, 3, 2), 14, h: 1e-2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm1d_Backward_MatchesFiniteDifferences(bool training)
    {
        var rng = new Rng(15);
        var bn = new BatchNorm1d(4);
        Init.Uniform(bn.Weight.Value, 0.5f, 1.5f, rng);
        Init.Uniform(bn.Bias.Value, -1f, 1f, rng);
        bn.Train(training);
        GradientCheck.Check(bn, TestData.Random(rng, 6, 4), 16, h: 1e-2);
    }

    [Fact]
    public void Dropout_Backward_MatchesFiniteDifferencesForAFixedMask()
    {
        // Each forward draws a new mask, so the layer is rebuilt from the same seed for every evaluation.
        var rng = new Rng(17);
        var x = TestData.Random(rng, 4, 25);
        var g = TestData.Random(rng, 4, 25);
        var dropout = new Dropout(0.3, new Rng(99));
        dropout.Forward(x);
        var dx = dropout.Backward(g).Clone();
        for (int i = 0; i < x.Length; i += 7)
        {
            float original = x.Data[i];
            double Loss(float v)
            {
                x.Data[i] = v;
                var y = new Dropout(0.3, new Rng(99)).Forward(x);
                double s = 0;
                for (int j = 0; j < y.Length; j++)
                    s += (double)y.Data[j] * g.Data[j];
                return s;
            }
            float plus = original + 0.01f, minus = original - 0.01f;
            double numeric = (Loss(plus) - Loss(minus)) / ((double)plus - minus);
            x.Data[i] = original;
            Assert.True(Math.Abs(numeric - dx.Data[i]) < 1e-3, $"dropout dx[{i}]: analytic {dx.Data[i]} vs numeric {numeric}");
        }
    }

    [Fact]
    public void Sequential_Backward_MatchesFiniteDifferences()
    {
        var rng = new Rng(19);
        var net = new Sequential(new Conv2d(2, 3, 3, rng, padding: 1), new BatchNorm2d(3), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dense(3 * 3 * 3, 5, rng)) { Kernels = Managed, ComputeInputGradient = true };
        GradientCheck.Check(net, TestData.Random(rng, 3, 2, 6, 7), 20, h: 1e-3, rtol: 3e-2, atol: 3e-3);
    }
}
