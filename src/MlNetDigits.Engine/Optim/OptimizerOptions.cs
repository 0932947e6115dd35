namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Hyperparameters for <see cref="OptimizerFactory.Create(OptimizerKind, IReadOnlyList{Parameter}, OptimizerOptions?)"/>;
/// a null option takes the chosen optimizer's PyTorch default. Options the optimizer does not have are rejected.
/// </summary>
public sealed class OptimizerOptions
{
    /// <summary>PyTorch <c>lr</c>.</summary>
    public double? LearningRate { get; set; }

    /// <summary>PyTorch <c>weight_decay</c> (L2, or decoupled for AdamW).</summary>
    public double? WeightDecay { get; set; }

    /// <summary>SGD <c>momentum</c>.</summary>
    public double? Momentum { get; set; }

    /// <summary>SGD <c>dampening</c>.</summary>
    public double? Dampening { get; set; }

    /// <summary>SGD <c>nesterov</c>.</summary>
    public bool? Nesterov { get; set; }

    /// <summary>Adam family <c>betas[0]</c>.</summary>
    public double? Beta1 { get; set; }

    /// <summary>Adam family <c>betas[1]</c>.</summary>
    public double? Beta2 { get; set; }

    /// <summary>PyTorch <c>eps</c> (Adam family, Adadelta).</summary>
    public double? Epsilon { get; set; }

    /// <summary>Adam and AdamW <c>amsgrad</c>.</summary>
    public bool? AmsGrad { get; set; }

    /// <summary>NAdam <c>momentum_decay</c>.</summary>
    public double? MomentumDecay { get; set; }

    /// <summary>Adadelta <c>rho</c>.</summary>
    public double? Rho { get; set; }
}
