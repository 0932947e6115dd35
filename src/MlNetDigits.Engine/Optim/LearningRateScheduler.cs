namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Sets an optimizer's learning rate from a step counter, as PyTorch's <c>torch.optim.lr_scheduler</c>: construction
/// applies step 0, and each <see cref="Step"/> (called after <see cref="Optimizer.Step"/>, per batch or per epoch as
/// the schedule is meant) advances by one. Rates are closed-form functions of the step, so resuming needs only
/// <see cref="LastStep"/> (see <see cref="Seek"/>).
/// </summary>
public abstract class LearningRateScheduler
{
    protected LearningRateScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>PyTorch's <c>base_lrs[0]</c>: the optimizer's learning rate when the schedule was built.</summary>
    public double BaseLearningRate { get; }

    /// <summary>PyTorch's <c>last_epoch</c>: the step whose rate is applied now.</summary>
    public int LastStep { get; private set; } = -1;

    /// <summary>The learning rate applied now (PyTorch's <c>get_last_lr()[0]</c>).</summary>
    public double LearningRate => Optimizer.LearningRate;

    /// <summary>Advances one step and applies its rate.</summary>
    public void Step() => Seek(LastStep + 1);

    /// <summary>Jumps to <paramref name="step"/> and applies its rate (and momentum, where the schedule cycles it).</summary>
    public void Seek(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        Apply(step);
        LastStep = step;
    }

    /// <summary>The learning rate at <paramref name="step"/> (0 = as built).</summary>
    public abstract double LearningRateAt(int step);

    /// <summary>Sets the optimizer's hyperparameters for <paramref name="step"/>.</summary>
    protected virtual void Apply(int step) => Optimizer.LearningRate = LearningRateAt(step);
}
