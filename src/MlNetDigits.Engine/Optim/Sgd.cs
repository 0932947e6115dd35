using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Stochastic gradient descent as PyTorch 1.13's <c>torch.optim.SGD</c>:
/// d = g + wd * p; b = momentum * b + (1 - dampening) * d (b = d on the first step); d = nesterov ? d + momentum * b : b;
/// p -= lr * d.
/// </summary>
public sealed class Sgd : Optimizer, IMomentumOptimizer
{
    private readonly Tensor[] _momentumBuffer;  // b per parameter (kept even at momentum 0, as a schedule may raise it)
    private bool _momentumStarted;          // false until a step has filled the momentum buffer
    private bool _firstMomentumStep;        // this step fills the buffer with d instead of decaying it

    /// <summary>PyTorch's defaults apart from the learning rate, which PyTorch requires and which is 1e-2 here.</summary>
    public Sgd(IReadOnlyList<Parameter> parameters, double learningRate = 1e-2, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false) : base(parameters, learningRate)
    {
        if (!(momentum >= 0))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be >= 0; got {momentum}.");
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be >= 0; got {weightDecay}.");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Nesterov momentum needs momentum > 0 and dampening 0; got momentum {momentum}, dampening {dampening}.", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _momentumBuffer = AddState("momentum_buffer");
    }

    public override OptimizerKind Kind => OptimizerKind.Sgd;

    /// <summary>PyTorch <c>momentum</c>; a scheduler may change it between steps.</summary>
    public double Momentum { get; set; }

    /// <summary>PyTorch <c>dampening</c>: the new gradient enters the momentum buffer scaled by 1 - dampening.</summary>
    public double Dampening { get; }

    /// <summary>PyTorch <c>weight_decay</c>: L2 added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>PyTorch <c>nesterov</c>.</summary>
    public bool Nesterov { get; }

    protected override void BeginStep()
    {
        // Like PyTorch, the first step that uses momentum fills the buffer instead of decaying it.
        _firstMomentumStep = Momentum != 0 && !_momentumStarted;
        _momentumStarted |= Momentum != 0;
    }

    protected override void Update(int index, IKernels kernels, Tensor value, Tensor grad)
    {
        var step = new SgdStep((float)-LearningRate, (float)WeightDecay, Momentum != 0, _firstMomentumStep, (float)Momentum,
            (float)(1 - Dampening), Nesterov, Nesterov ? (float)Momentum : 0);
        kernels.SgdUpdate(value, grad, _momentumBuffer[index], step);
    }

    protected override void SaveScalars(BinaryWriter writer) => writer.Write(_momentumStarted);

    protected override void LoadScalars(BinaryReader reader) => _momentumStarted = reader.ReadBoolean();
}
