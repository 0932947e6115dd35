namespace MlNetDigits.Engine.Optim;

/// <summary>An optimizer with a momentum coefficient a scheduler may cycle (SGD's momentum, the Adam family's beta1).</summary>
public interface IMomentumOptimizer
{
    /// <summary>PyTorch's <c>momentum</c> for SGD, <c>betas[0]</c> for Adam, AdamW and NAdam.</summary>
    double Momentum { get; set; }
}
