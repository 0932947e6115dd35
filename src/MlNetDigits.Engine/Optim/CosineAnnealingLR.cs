namespace MlNetDigits.Engine.Optim;

/// <summary>
/// PyTorch's <c>CosineAnnealingLR</c> in its closed form: lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * step / T_max)) / 2
/// (past T_max the cosine rises again, as PyTorch's does).
/// </summary>
public sealed class CosineAnnealingLR : LearningRateScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax < 1)
            throw new ArgumentOutOfRangeException(nameof(tMax), $"CosineAnnealingLR needs T_max >= 1; got {tMax}.");
        TMax = tMax;
        EtaMin = etaMin;
        Step();
    }

    /// <summary>PyTorch <c>T_max</c>: steps from the base rate down to <see cref="EtaMin"/>.</summary>
    public int TMax { get; }

    /// <summary>PyTorch <c>eta_min</c>.</summary>
    public double EtaMin { get; }

    public override double LearningRateAt(int step) =>
        EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * step / TMax)) / 2;
}
