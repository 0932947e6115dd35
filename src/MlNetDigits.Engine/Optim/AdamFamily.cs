using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Optim;

/// <summary>
/// The one update rule behind Adam, AdamW and NAdam; each is a choice of per-step coefficients:
/// <code>
/// g  = grad + l2 * p                      (L2 weight decay: Adam, NAdam)
/// p  = p * decay                          (decoupled weight decay: AdamW, decay = 1 - lr * wd)
/// m  = beta1 * m + (1 - beta1) * g
/// v  = beta2 * v + (1 - beta2) * g * g
/// v^ = amsgrad ? (vMax = max(vMax, v)) : v
/// d  = sqrt(v^) / sqrt(1 - beta2^t) + eps
/// p  = p + gradScale * g / d + momentScale * m / d
/// </code>
/// Adam and AdamW use gradScale = 0 and momentScale = -lr / (1 - beta1^t); NAdam's Nesterov look-ahead makes both non-zero.
/// </summary>
public abstract class AdamFamily : Optimizer, IMomentumOptimizer
{
    private readonly Tensor[] _expAvg;      // m per parameter
    private readonly Tensor[] _expAvgSq;    // v per parameter
    private readonly Tensor[]? _maxExpAvgSq; // vMax per parameter, AMSGrad only
    private Coefficients _c;
    private double _sqrtBias2;                // sqrt(1 - beta2^t)

    protected AdamFamily(IReadOnlyList<Parameter> parameters, double learningRate, double beta1, double beta2,
        double epsilon, double weightDecay, bool amsGrad) : base(parameters, learningRate)
    {
        CheckRange(beta1, 0, 1, nameof(beta1), "betas[0]");
        CheckRange(beta2, 0, 1, nameof(beta2), "betas[1]");
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be >= 0; got {epsilon}.");
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be >= 0; got {weightDecay}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        AmsGrad = amsGrad;
        _expAvg = AddState("exp_avg");
        _expAvgSq = AddState("exp_avg_sq");
        if (amsGrad)
            _maxExpAvgSq = AddState("max_exp_avg_sq");
    }

    /// <summary>Decay of the first-moment average (PyTorch <c>betas[0]</c>).</summary>
    public double Beta1 { get; set; }

    /// <summary>Decay of the second-moment average (PyTorch <c>betas[1]</c>).</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator (PyTorch <c>eps</c>).</summary>
    public double Epsilon { get; }

    /// <summary>PyTorch <c>weight_decay</c>: L2 added to the gradient (Adam, NAdam) or decoupled (AdamW).</summary>
    public double WeightDecay { get; }

    /// <summary>Divides by the running maximum of the second moment (PyTorch <c>amsgrad</c>).</summary>
    public bool AmsGrad { get; }

    double IMomentumOptimizer.Momentum { get => Beta1; set => Beta1 = value; }

    /// <summary>This step's scalars of the shared rule (see the class summary).</summary>
    protected readonly record struct Coefficients(double L2, double Decay, double GradScale, double MomentScale);

    /// <summary>Computes this step's coefficients; <see cref="Optimizer.StepCount"/> is t.</summary>
    protected abstract Coefficients StepCoefficients();

    protected sealed override void BeginStep()
    {
        _c = StepCoefficients();
        _sqrtBias2 = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
    }

    protected sealed override void Update(int index, IKernels kernels, Tensor value, Tensor grad)
    {
        var step = new AdamStep((float)_c.L2, (float)_c.Decay, (float)_c.GradScale, (float)_c.MomentScale, (float)Beta1, (float)(1 - Beta1),
            (float)Beta2, (float)(1 - Beta2), (float)_sqrtBias2, (float)Epsilon);
        kernels.AdamUpdate(value, grad, _expAvg[index], _expAvgSq[index], _maxExpAvgSq?[index], step);
    }

    internal static void CheckRange(double value, double low, double high, string name, string torchName)
    {
        if (!(value >= low && value < high))
            throw new ArgumentOutOfRangeException(name, $"{name} (PyTorch {torchName}) must be in [{low}, {high}); got {value}.");
    }
}
