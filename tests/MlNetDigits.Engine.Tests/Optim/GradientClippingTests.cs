using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Fixtures;
using static MlNetDigits.Engine.Tests.Optim.OptimFixtureHelpers;

namespace MlNetDigits.Engine.Tests.Optim;

public sealed class GradientClippingTests
{
    [Theory]
    [InlineData("large")]
    [InlineData("near")]
    [InlineData("small")]
    [InlineData("zero")]
    public void ClipGradNorm_MatchesPyTorch(string caseName)
    {
        var fixture = TorchFixture.Load("optim_clip_grad_norm");
        var a = new Parameter("a", new Tensor(fixture[$"{caseName}.a"].Shape));
        var b = new Parameter("b", new Tensor(fixture[$"{caseName}.b"].Shape));
        fixture[$"{caseName}.a"].Span.CopyTo(a.Grad.Span);
        fixture[$"{caseName}.b"].Span.CopyTo(b.Grad.Span);

        float total = GradientClipping.ClipGradNorm([a, b], fixture.Scalar($"{caseName}.max_norm"));

        AssertClose(fixture.Scalar($"{caseName}.total_norm"), total, $"{caseName} total norm");
        AssertClose(fixture[$"{caseName}.a.clipped"].Span, a.Grad.Span, $"{caseName} a.grad");
        AssertClose(fixture[$"{caseName}.b.clipped"].Span, b.Grad.Span, $"{caseName} b.grad");
    }

    [Fact]
    public void ClipGradNorm_LeavesGradientsBitIdenticalWhenUnderTheLimit()
    {
        var p = new Parameter("p", new Tensor(13));
        for (int i = 0; i < 13; i++)
            p.Grad.Data[i] = (i - 6) * 0.01f;
        var before = p.Grad.Data.ToArray();

        GradientClipping.ClipGradNorm([p], maxNorm: 10);

        Assert.Equal(before, p.Grad.Data);
    }

    [Fact]
    public void ClipGradNorm_ScaledGradientsHaveNormMaxNorm()
    {
        var p = new Parameter("p", new Tensor(6, 7));
        var q = new Parameter("q", new Tensor(5));
        var random = new Random(3);
        foreach (var t in new[] { p.Grad, q.Grad })
            for (int i = 0; i < t.Length; i++)
                t.Data[i] = (float)(random.NextDouble() * 4 - 2);

        GradientClipping.ClipGradNorm([p, q], maxNorm: 0.5f);

        double sumOfSquares = p.Grad.Data.Concat(q.Grad.Data).Sum(x => (double)x * x);
        Assert.Equal(0.5, Math.Sqrt(sumOfSquares), 5);
    }
}
