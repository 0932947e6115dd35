namespace MlNetDigits.Engine.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, 2019) as PyTorch 1.13's <c>torch.optim.AdamW</c>: Adam with the weight decay
/// decoupled from the gradient, p *= 1 - lr * wd before the Adam update.
/// </summary>
public sealed class AdamW : AdamFamily
{
    /// <summary>PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2, no AMSGrad.</summary>
    public AdamW(IReadOnlyList<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 1e-2, bool amsGrad = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, amsGrad)
    {
    }

    public override OptimizerKind Kind => OptimizerKind.AdamW;

    protected override Coefficients StepCoefficients() =>
        new(L2: 0, Decay: 1 - LearningRate * WeightDecay, GradScale: 0, MomentScale: -LearningRate / (1 - Math.Pow(Beta1, StepCount)));
}
