namespace MlNetDigits.Engine.Optim;

/// <summary>The schedules <see cref="LearningRateSchedulerFactory"/> builds by name.</summary>
public enum LearningRateSchedulerKind
{
    /// <summary>"constant": <see cref="ConstantLR"/>, the rate stays as built.</summary>
    Constant,

    /// <summary>"step": <see cref="StepLR"/>, PyTorch <c>StepLR</c>.</summary>
    Step,

    /// <summary>"exponential": <see cref="ExponentialLR"/>, PyTorch <c>ExponentialLR</c>.</summary>
    Exponential,

    /// <summary>"cosine": <see cref="CosineAnnealingLR"/>, PyTorch <c>CosineAnnealingLR</c>.</summary>
    Cosine,

    /// <summary>"onecycle": <see cref="OneCycleLR"/>, PyTorch <c>OneCycleLR</c>.</summary>
    OneCycle,
}
