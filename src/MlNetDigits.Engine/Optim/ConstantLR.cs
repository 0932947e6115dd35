namespace MlNetDigits.Engine.Optim;

/// <summary>No schedule: the optimizer's learning rate stays as built (PyTorch's <c>ConstantLR</c> with factor 1).</summary>
public sealed class ConstantLR : LearningRateScheduler
{
    public ConstantLR(Optimizer optimizer) : base(optimizer) => Step();

    public override double LearningRateAt(int step) => BaseLearningRate;
}
