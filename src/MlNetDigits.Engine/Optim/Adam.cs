namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015) exactly as PyTorch 1.13's <c>torch.optim.Adam</c>: weight decay is L2 added to the
/// gradient, p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), optionally AMSGrad.
/// </summary>
public sealed class Adam : AdamFamily
{
    /// <summary>PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, no AMSGrad.</summary>
    public Adam(IReadOnlyList<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, bool amsGrad = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, amsGrad)
    {
    }

    public override OptimizerKind Kind => OptimizerKind.Adam;

    protected override Coefficients StepCoefficients() =>
        new(L2: WeightDecay, Decay: 1, GradScale: 0, MomentScale: -LearningRate / (1 - Math.Pow(Beta1, StepCount)));
}
