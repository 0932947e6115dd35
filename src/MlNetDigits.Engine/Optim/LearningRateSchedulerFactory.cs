namespace MlNetDigits.Engine.Optim;

/// <summary>Builds schedules by kind or by name ("constant", "step", "exponential", "cosine", "onecycle").</summary>
public static class LearningRateSchedulerFactory
{
    /// <summary>The names accepted by <see cref="ParseKind"/>, in <see cref="LearningRateSchedulerKind"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "step", "exponential", "cosine", "onecycle"];

    /// <summary>The lower-case name of <paramref name="kind"/>.</summary>
    public static string NameOf(LearningRateSchedulerKind kind) => Names[(int)kind];

    /// <summary>Parses a name case-insensitively ("none" means constant); throws naming the accepted names otherwise.</summary>
    public static LearningRateSchedulerKind ParseKind(string name)
    {
        var trimmed = name?.Trim();
        if (string.Equals(trimmed, "none", StringComparison.OrdinalIgnoreCase))
            return LearningRateSchedulerKind.Constant;
        for (int i = 0; i < Names.Count; i++)
            if (string.Equals(Names[i], trimmed, StringComparison.OrdinalIgnoreCase))
                return (LearningRateSchedulerKind)i;
        throw new ArgumentException($"Unknown learning-rate schedule '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Builds the schedule called <paramref name="name"/> over <paramref name="optimizer"/>.</summary>
    public static LearningRateScheduler Create(string name, Optimizer optimizer, LearningRateSchedulerOptions? options = null) =>
        Create(ParseKind(name), optimizer, options);

    /// <summary>Builds a schedule of <paramref name="kind"/> over <paramref name="optimizer"/>; it applies step 0 at once.</summary>
    public static LearningRateScheduler Create(LearningRateSchedulerKind kind, Optimizer optimizer, LearningRateSchedulerOptions? options = null)
    {
        var o = options ?? new LearningRateSchedulerOptions();
        return kind switch
        {
            LearningRateSchedulerKind.Constant => new ConstantLR(optimizer),
            LearningRateSchedulerKind.Step => new StepLR(optimizer, Required(o.StepSize, kind, "StepSize"), o.Gamma ?? 0.1),
            LearningRateSchedulerKind.Exponential => new ExponentialLR(optimizer, Required(o.Gamma, kind, "Gamma")),
            LearningRateSchedulerKind.Cosine => new CosineAnnealingLR(optimizer, Required(o.TMax, kind, "TMax"), o.EtaMin ?? 0),
            LearningRateSchedulerKind.OneCycle => new OneCycleLR(optimizer, Required(o.MaxLearningRate, kind, "MaxLearningRate"),
                Required(o.TotalSteps, kind, "TotalSteps"), o.PctStart ?? 0.3, o.AnnealStrategy ?? AnnealStrategy.Cosine,
                o.DivFactor ?? 25, o.FinalDivFactor ?? 1e4, o.ThreePhase ?? false, o.CycleMomentum ?? false,
                o.BaseMomentum ?? 0.85, o.MaxMomentum ?? 0.95),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), $"Unknown schedule kind {kind}. Use one of: {string.Join(", ", Names)}."),
        };
    }

    private static T Required<T>(T? value, LearningRateSchedulerKind kind, string option) where T : struct =>
        value ?? throw new ArgumentException($"Schedule '{NameOf(kind)}' needs option {option}; it was not set.");
}
