namespace MlNetDigits.Engine.Optim;

/// <summary>
/// PyTorch's <c>OneCycleLR</c> (Smith &amp; Topin, 2017), stepped once per batch: the rate anneals from max_lr / div_factor
/// up to max_lr over the first pct_start of total_steps, then down to max_lr / (div_factor * final_div_factor);
/// with momentum cycling, momentum (or beta1) moves the opposite way between max_momentum and base_momentum.
/// </summary>
public sealed class OneCycleLR : LearningRateScheduler
{
    private readonly (double EndStep, double StartLr, double EndLr, double StartMomentum, double EndMomentum)[] _phases;

    /// <summary>PyTorch's defaults: pct_start 0.3, cosine annealing, div_factor 25, final_div_factor 1e4, two phases;
    /// momentum cycling is off by default here (PyTorch turns it on).</summary>
    public OneCycleLR(Optimizer optimizer, double maxLearningRate, int totalSteps, double pctStart = 0.3,
        AnnealStrategy annealStrategy = AnnealStrategy.Cosine, double divFactor = 25, double finalDivFactor = 1e4,
        bool threePhase = false, bool cycleMomentum = false, double baseMomentum = 0.85, double maxMomentum = 0.95)
        : base(optimizer)
    {
        if (totalSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), $"OneCycleLR needs total_steps >= 1; got {totalSteps}.");
        if (!(pctStart >= 0 && pctStart <= 1))
            throw new ArgumentOutOfRangeException(nameof(pctStart), $"OneCycleLR needs pct_start in [0, 1]; got {pctStart}.");
        if (cycleMomentum && optimizer is not IMomentumOptimizer)
            throw new ArgumentException($"Momentum cycling needs an optimizer with momentum or betas (sgd, adam, adamw, nadam); got '{OptimizerFactory.NameOf(optimizer.Kind)}'. Turn cycleMomentum off.", nameof(cycleMomentum));
        MaxLearningRate = maxLearningRate;
        TotalSteps = totalSteps;
        AnnealStrategy = annealStrategy;
        CycleMomentum = cycleMomentum;
        InitialLearningRate = maxLearningRate / divFactor;
        MinLearningRate = InitialLearningRate / finalDivFactor;
        double initial = InitialLearningRate, min = MinLearningRate;
        _phases = threePhase
            ?
            [
                (pctStart * totalSteps - 1, initial, maxLearningRate, maxMomentum, baseMomentum),
                (2 * pctStart * totalSteps - 2, maxLearningRate, initial, baseMomentum, maxMomentum),
                (totalSteps - 1, initial, min, maxMomentum, maxMomentum),
            ]
            :
            [
                (pctStart * totalSteps - 1, initial, maxLearningRate, maxMomentum, baseMomentum),
                (totalSteps - 1, maxLearningRate, min, baseMomentum, maxMomentum),
            ];
        Step();
    }

    /// <summary>PyTorch <c>max_lr</c>.</summary>
    public double MaxLearningRate { get; }

    /// <summary>PyTorch <c>total_steps</c>: the number of batches the cycle spans.</summary>
    public int TotalSteps { get; }

    /// <summary>PyTorch's <c>initial_lr</c> = max_lr / div_factor.</summary>
    public double InitialLearningRate { get; }

    /// <summary>PyTorch's <c>min_lr</c> = initial_lr / final_div_factor.</summary>
    public double MinLearningRate { get; }

    /// <summary>PyTorch <c>anneal_strategy</c>.</summary>
    public AnnealStrategy AnnealStrategy { get; }

    /// <summary>PyTorch <c>cycle_momentum</c>.</summary>
    public bool CycleMomentum { get; }

    public override double LearningRateAt(int step) => At(step).LearningRate;

    /// <summary>The momentum (SGD) or beta1 (Adam family) at <paramref name="step"/> when <see cref="CycleMomentum"/> is on.</summary>
    public double MomentumAt(int step) => At(step).Momentum;

    protected override void Apply(int step)
    {
        var (lr, momentum) = At(step);
        Optimizer.LearningRate = lr;
        if (CycleMomentum)
            ((IMomentumOptimizer)Optimizer).Momentum = momentum;
    }

    private (double LearningRate, double Momentum) At(int step)
    {
        if (step > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR was stepped to {step}, past its total_steps {TotalSteps}. Build it with total_steps = epochs * batches per epoch.");
        double start = 0;
        for (int i = 0; i < _phases.Length; i++)
        {
            var phase = _phases[i];
            if (step <= phase.EndStep || i == _phases.Length - 1)
            {
                double pct = (step - start) / (phase.EndStep - start);
                return (Anneal(phase.StartLr, phase.EndLr, pct), Anneal(phase.StartMomentum, phase.EndMomentum, pct));
            }
            start = phase.EndStep;
        }
        throw new InvalidOperationException("unreachable: the last phase always matches");
    }

    private double Anneal(double start, double end, double pct) => AnnealStrategy == AnnealStrategy.Cosine
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;
}

/// <summary>How <see cref="OneCycleLR"/> moves between two values (PyTorch <c>anneal_strategy</c>).</summary>
public enum AnnealStrategy
{
    /// <summary>"cos": half a cosine wave.</summary>
    Cosine,

    /// <summary>"linear": a straight line.</summary>
    Linear,
}
