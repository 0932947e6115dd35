namespace MlNetDigits;

/// <summary>What early stopping watches on the validation images after each epoch.</summary>
public enum EarlyStoppingMetric
{
    /// <summary>The validation loss (lower is better).</summary>
    ValidationLoss,

    /// <summary>The validation accuracy (higher is better).</summary>
    ValidationAccuracy,
}

/// <summary>
/// Stops training when <see cref="Monitor"/> has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs, and restores the weights of the best epoch. Needs validation images.
/// </summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>Epochs without improvement before stopping (at least 1).</summary>
    public int Patience { get; init; } = 3;

    /// <summary>The least change that counts as an improvement (>= 0).</summary>
    public double MinDelta { get; init; }

    public EarlyStoppingMetric Monitor { get; init; } = EarlyStoppingMetric.ValidationLoss;

    /// <summary>True when <paramref name="value"/> improves on <paramref name="best"/> by more than <see cref="MinDelta"/>.</summary>
    public bool Improves(double value, double? best) => best is not { } b ||
        (Monitor == EarlyStoppingMetric.ValidationLoss ? value < b - MinDelta : value > b + MinDelta);

    internal void Check()
    {
        if (Patience < 1)
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "EarlyStopping.Patience must be at least 1 epoch.");
        if (!(MinDelta >= 0))
            throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, "EarlyStopping.MinDelta must be a number >= 0.");
    }
}
