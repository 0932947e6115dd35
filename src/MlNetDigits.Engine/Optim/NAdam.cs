namespace MlNetDigits.Engine.Optim;

/// <summary>
/// NAdam (Dozat, 2016) as PyTorch 1.13's <c>torch.optim.NAdam</c>: Adam with a Nesterov look-ahead and the momentum
/// schedule mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)), p -= lr * (1 - mu_t) / (1 - prod mu) * g / d
/// + lr * mu_(t+1) / (1 - prod' mu) * m / d with d = sqrt(v / (1 - beta2^t)) + eps.
/// </summary>
/// <remarks>
/// The running product mu_1 * ... * mu_t is a float32 as in PyTorch. PyTorch 1.13 computes the next product as
/// product * mu_t * mu_(t+1), counting mu_t twice; PyTorch 2.0 fixed that to product * mu_(t+1). This class follows
/// 1.13, against which its fixtures were written.
/// </remarks>
public sealed class NAdam : AdamFamily
{
    private float _muProduct = 1;

    /// <summary>PyTorch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, momentum decay 4e-3.</summary>
    public NAdam(IReadOnlyList<Parameter> parameters, double learningRate = 2e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, double momentumDecay = 4e-3)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, amsGrad: false)
    {
        if (!(momentumDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(momentumDecay), $"Momentum decay must be >= 0; got {momentumDecay}.");
        MomentumDecay = momentumDecay;
    }

    public override OptimizerKind Kind => OptimizerKind.NAdam;

    /// <summary>PyTorch <c>momentum_decay</c> (psi): how fast mu_t approaches beta1.</summary>
    public double MomentumDecay { get; }

    protected override Coefficients StepCoefficients()
    {
        double t = StepCount, lr = LearningRate;
        double mu = Beta1 * (1 - 0.5 * Math.Pow(0.96, t * MomentumDecay));
        double muNext = Beta1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * MomentumDecay));
        _muProduct *= (float)mu;
        float muProductNext = _muProduct * (float)mu * (float)muNext;
        return new(L2: WeightDecay, Decay: 1, GradScale: -lr * (1 - mu) / (1 - _muProduct), MomentScale: -lr * muNext / (1 - muProductNext));
    }

    protected override void SaveScalars(BinaryWriter writer) => writer.Write(_muProduct);

    protected override void LoadScalars(BinaryReader reader) => _muProduct = reader.ReadSingle();
}
