namespace MlNetDigits.Engine.Optim;

/// <summary>PyTorch's <c>ExponentialLR</c>: lr = base_lr * gamma^step.</summary>
public sealed class ExponentialLR : LearningRateScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma;
        Step();
    }

    /// <summary>PyTorch <c>gamma</c>.</summary>
    public double Gamma { get; }

    public override double LearningRateAt(int step) => BaseLearningRate * Math.Pow(Gamma, step);
}
