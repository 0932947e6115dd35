namespace MlNetDigits.Engine.Optim;

/// <summary>Builds optimizers by kind or by name ("sgd", "adam", "adamw", "nadam", "adadelta") for trainers and the CLI.</summary>
public static class OptimizerFactory
{
    /// <summary>The names accepted by <see cref="ParseKind"/>, in <see cref="OptimizerKind"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "adam", "adamw", "nadam", "adadelta"];

    /// <summary>The lower-case name of <paramref name="kind"/>.</summary>
    public static string NameOf(OptimizerKind kind) => Names[(int)kind];

    /// <summary>Parses a name case-insensitively; throws naming the accepted names otherwise.</summary>
    public static OptimizerKind ParseKind(string name)
    {
        for (int i = 0; i < Names.Count; i++)
            if (string.Equals(Names[i], name?.Trim(), StringComparison.OrdinalIgnoreCase))
                return (OptimizerKind)i;
        throw new ArgumentException($"Unknown optimizer '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Builds the optimizer called <paramref name="name"/>.</summary>
    public static Optimizer Create(string name, IReadOnlyList<Parameter> parameters, OptimizerOptions? options = null) =>
        Create(ParseKind(name), parameters, options);

    /// <summary>Builds an optimizer of <paramref name="kind"/>; null options take that optimizer's PyTorch defaults.</summary>
    public static Optimizer Create(OptimizerKind kind, IReadOnlyList<Parameter> parameters, OptimizerOptions? options = null)
    {
        var o = options ?? new OptimizerOptions();
        switch (kind)
        {
            case OptimizerKind.Sgd:
                Reject(kind, ("Beta1", o.Beta1), ("Beta2", o.Beta2), ("Epsilon", o.Epsilon), ("AmsGrad", o.AmsGrad), ("MomentumDecay", o.MomentumDecay), ("Rho", o.Rho));
                return new Sgd(parameters, o.LearningRate ?? 1e-2, o.Momentum ?? 0, o.Dampening ?? 0, o.WeightDecay ?? 0, o.Nesterov ?? false);
            case OptimizerKind.Adam:
                Reject(kind, ("Momentum", o.Momentum), ("Dampening", o.Dampening), ("Nesterov", o.Nesterov), ("MomentumDecay", o.MomentumDecay), ("Rho", o.Rho));
                return new Adam(parameters, o.LearningRate ?? 1e-3, o.Beta1 ?? 0.9, o.Beta2 ?? 0.999, o.Epsilon ?? 1e-8, o.WeightDecay ?? 0, o.AmsGrad ?? false);
            case OptimizerKind.AdamW:
                Reject(kind, ("Momentum", o.Momentum), ("Dampening", o.Dampening), ("Nesterov", o.Nesterov), ("MomentumDecay", o.MomentumDecay), ("Rho", o.Rho));
                return new AdamW(parameters, o.LearningRate ?? 1e-3, o.Beta1 ?? 0.9, o.Beta2 ?? 0.999, o.Epsilon ?? 1e-8, o.WeightDecay ?? 1e-2, o.AmsGrad ?? false);
            case OptimizerKind.NAdam:
                Reject(kind, ("Momentum", o.Momentum), ("Dampening", o.Dampening), ("Nesterov", o.Nesterov), ("AmsGrad", o.AmsGrad), ("Rho", o.Rho));
                return new NAdam(parameters, o.LearningRate ?? 2e-3, o.Beta1 ?? 0.9, o.Beta2 ?? 0.999, o.Epsilon ?? 1e-8, o.WeightDecay ?? 0, o.MomentumDecay ?? 4e-3);
            case OptimizerKind.Adadelta:
                Reject(kind, ("Momentum", o.Momentum), ("Dampening", o.Dampening), ("Nesterov", o.Nesterov), ("Beta1", o.Beta1), ("Beta2", o.Beta2), ("AmsGrad", o.AmsGrad), ("MomentumDecay", o.MomentumDecay));
                return new Adadelta(parameters, o.LearningRate ?? 1.0, o.Rho ?? 0.9, o.Epsilon ?? 1e-6, o.WeightDecay ?? 0);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), $"Unknown optimizer kind {kind}. Use one of: {string.Join(", ", Names)}.");
        }
    }

    private static void Reject(OptimizerKind kind, params (string Name, object? Value)[] options)
    {
        foreach (var (name, value) in options)
            if (value is not null)
                throw new ArgumentException($"Optimizer '{NameOf(kind)}' has no option {name} (set to {value}). Remove it or pick an optimizer that has it.");
    }
}
