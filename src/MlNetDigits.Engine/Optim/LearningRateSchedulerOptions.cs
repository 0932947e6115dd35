namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Settings for <see cref="LearningRateSchedulerFactory"/>; each schedule reads only its own and a null one takes its
/// PyTorch default. <see cref="StepSize"/>, <see cref="Gamma"/> (exponential), <see cref="TMax"/>,
/// <see cref="MaxLearningRate"/> and <see cref="TotalSteps"/> have no default and must be set for their schedules.
/// </summary>
public sealed class LearningRateSchedulerOptions
{
    /// <summary>StepLR <c>step_size</c>.</summary>
    public int? StepSize { get; set; }

    /// <summary>StepLR (default 0.1) and ExponentialLR <c>gamma</c>.</summary>
    public double? Gamma { get; set; }

    /// <summary>CosineAnnealingLR <c>T_max</c>.</summary>
    public int? TMax { get; set; }

    /// <summary>CosineAnnealingLR <c>eta_min</c> (default 0).</summary>
    public double? EtaMin { get; set; }

    /// <summary>OneCycleLR <c>max_lr</c>.</summary>
    public double? MaxLearningRate { get; set; }

    /// <summary>OneCycleLR <c>total_steps</c>.</summary>
    public int? TotalSteps { get; set; }

    /// <summary>OneCycleLR <c>pct_start</c> (default 0.3).</summary>
    public double? PctStart { get; set; }

    /// <summary>OneCycleLR <c>anneal_strategy</c> (default cosine).</summary>
    public AnnealStrategy? AnnealStrategy { get; set; }

    /// <summary>OneCycleLR <c>div_factor</c> (default 25).</summary>
    public double? DivFactor { get; set; }

    /// <summary>OneCycleLR <c>final_div_factor</c> (default 1e4).</summary>
    public double? FinalDivFactor { get; set; }

    /// <summary>OneCycleLR <c>three_phase</c> (default false).</summary>
    public bool? ThreePhase { get; set; }

    /// <summary>OneCycleLR <c>cycle_momentum</c> (default false here; PyTorch's is true).</summary>
    public bool? CycleMomentum { get; set; }

    /// <summary>OneCycleLR <c>base_momentum</c> (default 0.85).</summary>
    public double? BaseMomentum { get; set; }

    /// <summary>OneCycleLR <c>max_momentum</c> (default 0.95).</summary>
    public double? MaxMomentum { get; set; }
}
