using MlNetDigits.Engine.Optim;

namespace MlNetDigits.Engine.Tests.Optim;

public sealed class OptimizerStateTests
{
    public static TheoryData<string> OptimizerNames => ["sgd", "adam", "adamw", "nadam", "adadelta"];

    private static OptimizerOptions OptionsFor(string name) => name switch
    {
        "sgd" => new() { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3 },
        "adam" => new() { LearningRate = 0.01, AmsGrad = true, WeightDecay = 1e-3 },
        "adamw" => new() { LearningRate = 0.01, Beta1 = 0.7, Beta2 = 0.9 },
        "nadam" => new() { LearningRate = 0.01, WeightDecay = 1e-3 },
        _ => new() { LearningRate = 1.0 },
    };

    /// <summary>Two parameters with 6*8+5 and 19 values, so both the vector loop and the scalar tail run.</summary>
    private static Parameter[] MakeParameters()
    {
        var random = new Random(42);
        Parameter Make(string name, params int[] shape)
        {
            var t = new Tensor(shape);
            for (int i = 0; i < t.Length; i++)
                t.Data[i] = (float)(random.NextDouble() * 2 - 1);
            return new Parameter(name, t);
        }
        return [Make("w", 53), Make("b", 19)];
    }

    /// <summary>A deterministic gradient for step <paramref name="step"/> that depends on the current values.</summary>
    private static void SetGradients(Parameter[] parameters, int step)
    {
        foreach (var p in parameters)
            for (int i = 0; i < p.Value.Length; i++)
                p.Grad.Data[i] = MathF.Sin(p.Value.Data[i] * 3 + step * 0.7f + i) * (1 + step % 3);
    }

    private static void Train(Optimizer optimizer, LearningRateScheduler scheduler, Parameter[] parameters, int from, int to)
    {
        for (int step = from; step < to; step++)
        {
            SetGradients(parameters, step);
            optimizer.Step();
            scheduler.Step();
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void LoadState_ResumesBitIdenticallyToAnUninterruptedRun(string name)
    {
        var scheduleOptions = new LearningRateSchedulerOptions { MaxLearningRate = 0.02, TotalSteps = 12, CycleMomentum = name != "adadelta" };
        var whole = MakeParameters();
        var wholeOptimizer = OptimizerFactory.Create(name, whole, OptionsFor(name));
        Train(wholeOptimizer, LearningRateSchedulerFactory.Create("onecycle", wholeOptimizer, scheduleOptions), whole, 0, 12);

        var first = MakeParameters();
        var firstOptimizer = OptimizerFactory.Create(name, first, OptionsFor(name));
        var firstScheduler = LearningRateSchedulerFactory.Create("onecycle", firstOptimizer, scheduleOptions);
        Train(firstOptimizer, firstScheduler, first, 0, 5);
        using var checkpoint = new MemoryStream();
        firstOptimizer.SaveState(checkpoint);

        // A fresh model gets the checkpointed values, a fresh optimizer the saved state, a fresh schedule the step.
        var resumed = MakeParameters();
        for (int i = 0; i < resumed.Length; i++)
            first[i].Value.Span.CopyTo(resumed[i].Value.Span);
        var resumedOptimizer = OptimizerFactory.Create(name, resumed, OptionsFor(name));
        checkpoint.Position = 0;
        resumedOptimizer.LoadState(checkpoint);
        var resumedScheduler = LearningRateSchedulerFactory.Create("onecycle", resumedOptimizer, scheduleOptions);
        resumedScheduler.Seek(firstScheduler.LastStep);
        Train(resumedOptimizer, resumedScheduler, resumed, 5, 12);

        Assert.Equal(12, resumedOptimizer.StepCount);
        for (int i = 0; i < whole.Length; i++)
            Assert.Equal(whole[i].Value.Data, resumed[i].Value.Data);
    }

    [Fact]
    public void LoadState_ThrowsNamingBothGivenAnotherOptimizersState()
    {
        var parameters = MakeParameters();
        using var stream = new MemoryStream();
        new Adam(parameters).SaveState(stream);
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => new NAdam(parameters).LoadState(stream));

        Assert.Contains("'adam'", error.Message);
        Assert.Contains("'nadam'", error.Message);
    }

    [Fact]
    public void LoadState_ThrowsGivenDifferentParameters()
    {
        using var stream = new MemoryStream();
        new Adam(MakeParameters()).SaveState(stream);
        stream.Position = 0;
        var other = new[] { new Parameter("w", new Tensor(53)), new Parameter("b", new Tensor(20)) };

        var error = Assert.Throws<InvalidDataException>(() => new Adam(other).LoadState(stream));

        Assert.Contains("'b' of 19 values", error.Message);
    }

    [Fact]
    public void LoadState_ThrowsGivenTruncatedState()
    {
        using var stream = new MemoryStream();
        new Adadelta(MakeParameters()).SaveState(stream);
        var truncated = new MemoryStream(stream.ToArray()[..^10]);

        Assert.Throws<EndOfStreamException>(() => new Adadelta(MakeParameters()).LoadState(truncated));
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Step_AllocatesNothingAfterTheFirstCall(string name)
    {
        var parameters = MakeParameters();
        var optimizer = OptimizerFactory.Create(name, parameters, OptionsFor(name));
        SetGradients(parameters, 0);
        optimizer.Step();
        GradientClipping.ClipGradNorm(parameters, 1);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 1; step < 20; step++)
        {
            GradientClipping.ClipGradNorm(parameters, 1);
            optimizer.Step();
            optimizer.ZeroGrad();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ZeroGrad_ClearsEveryGradient()
    {
        var parameters = MakeParameters();
        SetGradients(parameters, 1);

        new Sgd(parameters).ZeroGrad();

        Assert.All(parameters, p => Assert.All(p.Grad.Data, g => Assert.Equal(0f, g)));
    }

    [Theory]
    [InlineData("SGD", OptimizerKind.Sgd)]
    [InlineData("adamw", OptimizerKind.AdamW)]
    [InlineData(" NAdam", OptimizerKind.NAdam)]
    public void ParseKind_AcceptsNamesCaseInsensitively(string name, OptimizerKind expected) =>
        Assert.Equal(expected, OptimizerFactory.ParseKind(name));

    [Fact]
    public void Create_ThrowsNamingTheOptionGivenOneTheOptimizerLacks()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            OptimizerFactory.Create("adam", MakeParameters(), new OptimizerOptions { Momentum = 0.9 }));

        Assert.Contains("Momentum", error.Message);
        Assert.Contains("'adam'", error.Message);
    }

    [Fact]
    public void Create_UsesPyTorchDefaults()
    {
        var adamW = Assert.IsType<AdamW>(OptimizerFactory.Create("adamw", MakeParameters()));
        var nadam = Assert.IsType<NAdam>(OptimizerFactory.Create("nadam", MakeParameters()));
        var adadelta = Assert.IsType<Adadelta>(OptimizerFactory.Create("adadelta", MakeParameters()));

        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 1e-2), (adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay));
        Assert.Equal((2e-3, 4e-3), (nadam.LearningRate, nadam.MomentumDecay));
        Assert.Equal((1.0, 0.9, 1e-6), (adadelta.LearningRate, adadelta.Rho, adadelta.Epsilon));
    }

    [Fact]
    public void Sgd_RejectsNesterovWithoutMomentum()
    {
        var error = Assert.Throws<ArgumentException>(() => new Sgd(MakeParameters(), 0.1, momentum: 0, nesterov: true));
        Assert.Contains("momentum > 0", error.Message);
    }
}
