using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Fixtures;
using static MlNetDigits.Engine.Tests.Optim.OptimFixtureHelpers;

namespace MlNetDigits.Engine.Tests.Optim;

public sealed class OptimizerFixtureTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "optim_sgd", "sgd" },
        { "optim_sgd_wd", "sgd" },
        { "optim_sgd_momentum", "sgd" },
        { "optim_sgd_momentum_dampening_wd", "sgd" },
        { "optim_sgd_nesterov", "sgd" },
        { "optim_sgd_nesterov_wd", "sgd" },
        { "optim_adam", "adam" },
        { "optim_adam_wd", "adam" },
        { "optim_adam_amsgrad", "adam" },
        { "optim_adamw", "adamw" },
        { "optim_adamw_wd", "adamw" },
        { "optim_adamw_amsgrad", "adamw" },
        { "optim_nadam", "nadam" },
        { "optim_nadam_wd", "nadam" },
        { "optim_adadelta", "adadelta" },
        { "optim_adadelta_wd", "adadelta" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_MatchesPyTorchOverFiveSteps(string fixtureName, string optimizerName)
    {
        var fixture = TorchFixture.Load(fixtureName);
        var a = new Parameter("a", Copy(fixture["a.init"]));
        var b = new Parameter("b", Copy(fixture["b.init"]));
        var optimizer = OptimizerFactory.Create(optimizerName, [a, b], OptimizerOptionsFrom(fixture));

        for (int k = 0; k < 5; k++)
        {
            fixture[$"a.grad.{k}"].Span.CopyTo(a.Grad.Span);
            fixture[$"b.grad.{k}"].Span.CopyTo(b.Grad.Span);
            optimizer.Step();
            AssertClose(fixture[$"a.after.{k}"].Span, a.Value.Span, $"{fixtureName} a after step {k}");
            AssertClose(fixture[$"b.after.{k}"].Span, b.Value.Span, $"{fixtureName} b after step {k}");
        }
        Assert.Equal(5, optimizer.StepCount);
    }

    private static Tensor Copy(Tensor t) => new([.. t.Data], t.Shape);
}
