namespace MlNetDigits.Engine.Optim;

/// <summary>The optimizers <see cref="OptimizerFactory"/> builds by name.</summary>
public enum OptimizerKind
{
    /// <summary>"sgd": <see cref="Optim.Sgd"/>, PyTorch <c>torch.optim.SGD</c>.</summary>
    Sgd,

    /// <summary>"adam": <see cref="Optim.Adam"/>, PyTorch <c>torch.optim.Adam</c>.</summary>
    Adam,

    /// <summary>"adamw": <see cref="Optim.AdamW"/>, PyTorch <c>torch.optim.AdamW</c>.</summary>
    AdamW,

    /// <summary>"nadam": <see cref="Optim.NAdam"/>, PyTorch <c>torch.optim.NAdam</c>.</summary>
    NAdam,

    /// <summary>"adadelta": <see cref="Optim.Adadelta"/>, PyTorch <c>torch.optim.Adadelta</c>.</summary>
    Adadelta,
}
