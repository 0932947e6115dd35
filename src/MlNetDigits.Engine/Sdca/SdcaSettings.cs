namespace MlNetDigits.Engine.Sdca;

/// <summary>The loss SDCA minimises.</summary>
public enum SdcaLoss
{
    /// <summary>
    /// ML.NET's formulation: the logistic loss of the margin between the true class's score and each other class's score,
    /// summed over the other classes; one dual variable per (example, other class).
    /// </summary>
    PairwiseLogistic,

    /// <summary>
    /// The multinomial logistic (softmax cross-entropy) loss, log sum_c exp(s_c) - s_y: the objective multinomial logistic
    /// regression minimises; one dual vector per example.
    /// </summary>
    Softmax,
}

/// <summary>The fully resolved settings of one SDCA run (no automatic values left).</summary>
public sealed record SdcaSettings
{
    /// <summary>The L2 constant lambda of the objective (positive).</summary>
    public required float L2Regularization { get; init; }

    /// <summary>The loss minimised.</summary>
    public SdcaLoss Loss { get; init; } = SdcaLoss.PairwiseLogistic;

    /// <summary>The L1 soft threshold: the L1 constant divided by <see cref="L2Regularization"/> (0 for none), as in ML.NET.</summary>
    public float L1Threshold { get; init; }

    /// <summary>The number of epochs (passes over the data) at most.</summary>
    public required int MaximumNumberOfIterations { get; init; }

    /// <summary>Training stops once duality gap &lt;= tolerance * primal loss.</summary>
    public float ConvergenceTolerance { get; init; } = 0.1f;

    /// <summary>Visit the examples in a new seeded order every epoch.</summary>
    public bool Shuffle { get; init; } = true;

    public int NumberOfThreads { get; init; } = 1;

    /// <summary>How fast the regularised part of the bias is moved into its unregularised part (0: the bias stays regularised).</summary>
    public float BiasLearningRate { get; init; }

    /// <summary>Check convergence every this many epochs (0 or less: only after the last epoch).</summary>
    public int ConvergenceCheckFrequency { get; init; } = 1;

    /// <summary>
    /// With several threads: true runs the blocked scheme whose result depends only on the seed and the thread count;
    /// false runs lock-free (Hogwild) updates as ML.NET does, which are faster but not reproducible.
    /// </summary>
    public bool Deterministic { get; init; } = true;

    public int Seed { get; init; }

    /// <summary>Examples each thread processes between two merges in the deterministic multi-thread scheme.</summary>
    public int SyncInterval { get; init; } = 256;
}

/// <summary>
/// One finished epoch. PrimalLoss (the regularised objective P) and DualLoss (the dual objective D, with P - D &gt;= 0 the
/// duality gap) are present when convergence was checked after it.
/// </summary>
public sealed record SdcaEpoch(int Epoch, int TotalEpochs, TimeSpan Elapsed, double? PrimalLoss, double? DualLoss)
{
    /// <summary>PrimalLoss - DualLoss, when checked.</summary>
    public double? DualityGap => PrimalLoss - DualLoss;
}

/// <summary>The trained linear model: scores = W x + b.</summary>
/// <param name="Weights">(classes, features), class-major.</param>
/// <param name="Bias">(classes).</param>
/// <param name="Epochs">The epochs run.</param>
/// <param name="BestEpoch">The epoch whose weights (lowest primal loss) were kept.</param>
/// <param name="Converged">True when the duality gap fell under the tolerance.</param>
/// <param name="PrimalLoss">The primal loss of the kept weights.</param>
/// <param name="DualityGap">The duality gap when the kept weights were recorded.</param>
public sealed record SdcaModel(float[] Weights, float[] Bias, int Epochs, int BestEpoch, bool Converged, double PrimalLoss, double DualityGap);
