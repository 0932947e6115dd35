namespace MlNetDigits.Engine.Optim;

/// <summary>PyTorch's <c>StepLR</c>: lr = base_lr * gamma^floor(step / step_size).</summary>
public sealed class StepLR : LearningRateScheduler
{
    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> steps (PyTorch default gamma 0.1).</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize < 1)
            throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR needs step_size >= 1; got {stepSize}.");
        StepSize = stepSize;
        Gamma = gamma;
        Step();
    }

    /// <summary>PyTorch <c>step_size</c>.</summary>
    public int StepSize { get; }

    /// <summary>PyTorch <c>gamma</c>.</summary>
    public double Gamma { get; }

    public override double LearningRateAt(int step) => BaseLearningRate * Math.Pow(Gamma, step / StepSize);
}
