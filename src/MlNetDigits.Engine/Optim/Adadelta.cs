using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Adadelta (Zeiler, 2012) as PyTorch 1.13's <c>torch.optim.Adadelta</c>: g += wd * p; s = rho * s + (1 - rho) * g^2;
/// delta = sqrt(a + eps) / sqrt(s + eps) * g; a = rho * a + (1 - rho) * delta^2; p -= lr * delta.
/// </summary>
public sealed class Adadelta : Optimizer
{
    private readonly Tensor[] _squareAvg; // s per parameter
    private readonly Tensor[] _accDelta;  // a per parameter

    /// <summary>PyTorch's defaults: lr 1.0, rho 0.9, eps 1e-6, no weight decay.</summary>
    public Adadelta(IReadOnlyList<Parameter> parameters, double learningRate = 1.0, double rho = 0.9, double epsilon = 1e-6,
        double weightDecay = 0) : base(parameters, learningRate)
    {
        if (!(rho >= 0 && rho <= 1))
            throw new ArgumentOutOfRangeException(nameof(rho), $"Rho must be in [0, 1]; got {rho}.");
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be >= 0; got {epsilon}.");
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be >= 0; got {weightDecay}.");
        Rho = rho;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _squareAvg = AddState("square_avg");
        _accDelta = AddState("acc_delta");
    }

    public override OptimizerKind Kind => OptimizerKind.Adadelta;

    /// <summary>PyTorch <c>rho</c>: decay of both running averages.</summary>
    public double Rho { get; }

    /// <summary>PyTorch <c>eps</c>, inside both square roots.</summary>
    public double Epsilon { get; }

    /// <summary>PyTorch <c>weight_decay</c>: L2 added to the gradient.</summary>
    public double WeightDecay { get; }

    protected override void Update(int index, IKernels kernels, Tensor value, Tensor grad)
        => kernels.AdadeltaUpdate(value, grad, _squareAvg[index], _accDelta[index],
            new AdadeltaStep((float)WeightDecay, (float)Rho, (float)(1 - Rho), (float)Epsilon, (float)-LearningRate));
}
