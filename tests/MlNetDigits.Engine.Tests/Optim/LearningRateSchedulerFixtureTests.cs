using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Fixtures;
using static MlNetDigits.Engine.Tests.Optim.OptimFixtureHelpers;

namespace MlNetDigits.Engine.Tests.Optim;

public sealed class LearningRateSchedulerFixtureTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "optim_schedule_step", "sgd", "step" },
        { "optim_schedule_exponential", "sgd", "exponential" },
        { "optim_schedule_cosine", "sgd", "cosine" },
        { "optim_schedule_onecycle", "adam", "onecycle" },
        { "optim_schedule_onecycle_sgd_momentum", "sgd", "onecycle" },
        { "optim_schedule_onecycle_adam_beta1", "adam", "onecycle" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_MatchesPyTorchLearningRatesAndMomenta(string fixtureName, string optimizerName, string scheduleName)
    {
        var fixture = TorchFixture.Load(fixtureName);
        var p = new Parameter("p", new Tensor(2));
        var optimizer = OptimizerFactory.Create(optimizerName, [p], new OptimizerOptions
        {
            LearningRate = Hp(fixture, "lr"),
            Momentum = Hp(fixture, "momentum"),
        });
        var scheduler = LearningRateSchedulerFactory.Create(scheduleName, optimizer, new LearningRateSchedulerOptions
        {
            StepSize = (int?)Hp(fixture, "step_size"),
            Gamma = Hp(fixture, "gamma"),
            TMax = (int?)Hp(fixture, "t_max"),
            EtaMin = Hp(fixture, "eta_min"),
            MaxLearningRate = Hp(fixture, "max_lr"),
            TotalSteps = (int?)Hp(fixture, "total_steps"),
            PctStart = Hp(fixture, "pct_start"),
            DivFactor = Hp(fixture, "div_factor"),
            FinalDivFactor = Hp(fixture, "final_div_factor"),
            ThreePhase = HpFlag(fixture, "three_phase"),
            AnnealStrategy = HpFlag(fixture, "linear") == true ? AnnealStrategy.Linear : null,
            CycleMomentum = HpFlag(fixture, "cycle_momentum"),
            BaseMomentum = Hp(fixture, "base_momentum"),
            MaxMomentum = Hp(fixture, "max_momentum"),
        });
        bool cyclesMomentum = HpFlag(fixture, "cycle_momentum") == true;
        var lrs = fixture["lr"].Data;
        var momenta = fixture["momentum"].Data;

        for (int step = 0; step < lrs.Length; step++)
        {
            Assert.Equal(step, scheduler.LastStep);
            AssertClose(lrs[step], optimizer.LearningRate, $"{fixtureName} lr at step {step}");
            if (cyclesMomentum)
                AssertClose(momenta[step], ((IMomentumOptimizer)optimizer).Momentum, $"{fixtureName} momentum at step {step}");
            p.Grad.Span.Clear();
            optimizer.Step();
            if (step < lrs.Length - 1)
                scheduler.Step();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seek_GivesTheSameRateAsSteppingThere(string fixtureName, string optimizerName, string scheduleName)
    {
        var fixture = TorchFixture.Load(fixtureName);
        var options = new LearningRateSchedulerOptions
        {
            StepSize = (int?)Hp(fixture, "step_size"),
            Gamma = Hp(fixture, "gamma"),
            TMax = (int?)Hp(fixture, "t_max"),
            MaxLearningRate = Hp(fixture, "max_lr"),
            TotalSteps = (int?)Hp(fixture, "total_steps"),
        };
        var stepped = LearningRateSchedulerFactory.Create(scheduleName, OptimizerFactory.Create(optimizerName, [new Parameter("p", new Tensor(1))]), options);
        var seeking = LearningRateSchedulerFactory.Create(scheduleName, OptimizerFactory.Create(optimizerName, [new Parameter("p", new Tensor(1))]), options);
        for (int i = 0; i < 17; i++)
            stepped.Step();

        seeking.Seek(17);

        Assert.Equal(stepped.LearningRate, seeking.LearningRate);
        Assert.Equal(17, seeking.LastStep);
    }

    [Fact]
    public void OneCycle_ThrowsWhenSteppedPastTotalSteps()
    {
        var optimizer = new Adam([new Parameter("p", new Tensor(1))]);
        var scheduler = new OneCycleLR(optimizer, maxLearningRate: 0.01, totalSteps: 4);
        for (int i = 0; i < 4; i++)
            scheduler.Step();

        var error = Assert.Throws<InvalidOperationException>(scheduler.Step);
        Assert.Contains("total_steps 4", error.Message);
    }

    [Fact]
    public void OneCycle_WithMomentumCycling_RejectsAdadelta()
    {
        var optimizer = new Adadelta([new Parameter("p", new Tensor(1))]);

        var error = Assert.Throws<ArgumentException>(() => new OneCycleLR(optimizer, 1.0, 10, cycleMomentum: true));
        Assert.Contains("adadelta", error.Message);
    }

    [Theory]
    [InlineData("none", "constant")]
    [InlineData(" OneCycle ", "onecycle")]
    [InlineData("COSINE", "cosine")]
    public void ParseKind_AcceptsNamesCaseInsensitively(string name, string expected) =>
        Assert.Equal(expected, LearningRateSchedulerFactory.NameOf(LearningRateSchedulerFactory.ParseKind(name)));

    [Fact]
    public void ParseKind_ThrowsListingTheNamesGivenAnUnknownName()
    {
        var error = Assert.Throws<ArgumentException>(() => LearningRateSchedulerFactory.ParseKind("StepLR"));
        Assert.Contains("step, exponential, cosine, onecycle", error.Message);
    }
}
