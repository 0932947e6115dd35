namespace MlNetDigits.Engine.Layers;

/// <summary>
/// Batch normalisation over (N, C, P) data, shared by <see cref="BatchNorm2d"/> (P = H * W) and <see cref="BatchNorm1d"/>:
/// y = (x - mean) / sqrt(var + eps) * weight + bias with batch statistics in training (biased variance) and running
/// statistics in evaluation. Running statistics follow PyTorch: r = (1 - momentum) r + momentum * batch value, the
/// variance being the unbiased one.
/// </summary>
public abstract class BatchNorm : Layer
{
    private readonly int _weight, _bias;
    private readonly Tensor _runningMean;   // (C)
    private readonly Tensor _runningVar;    // (C)
    private readonly Tensor _batchesTracked; // (): how many training batches updated the running statistics (kept on the host)
    private Tensor? _mean, _invStd; // (C): statistics used by the last forward
    private Tensor? _normalized;  // x-hat: same shape as x
    private Tensor? _output;      // y: same shape as x
    private Tensor? _inputGrad;   // dx: same shape as x
    private bool _usedBatchStats;

    protected BatchNorm(int features, double eps, double momentum)
    {
        if (features < 1)
            throw new ArgumentOutOfRangeException(nameof(features), $"BatchNorm needs at least one feature; got {features}.");
        Features = features;
        Eps = eps;
        Momentum = momentum;
        var w = new Tensor(features);
        w.Span.Fill(1f);
        _weight = AddParameter("weight", w);
        _bias = AddParameter("bias", new Tensor(features));
        var rv = new Tensor(features);
        rv.Span.Fill(1f);
        _runningMean = AddBuffer("running_mean", new Tensor(features));
        _runningVar = AddBuffer("running_var", rv);
        _batchesTracked = AddBuffer("num_batches_tracked", new Tensor([0f], []), staysOnHost: true);
    }

    /// <summary>The number of channels (C).</summary>
    public int Features { get; }

    public double Eps { get; }

    public double Momentum { get; }

    /// <summary>gamma: (C).</summary>
    public Parameter Weight => ParameterAt(_weight);

    /// <summary>beta: (C).</summary>
    public Parameter Bias => ParameterAt(_bias);

    /// <summary>(C).</summary>
    public Tensor RunningMean => _runningMean;

    /// <summary>(C), unbiased.</summary>
    public Tensor RunningVar => _runningVar;

    /// <summary>Checks the input's shape and returns its (N, P) sizes around the channel dimension.</summary>
    protected abstract (int Batch, int Plane) CheckInput(Tensor input);

    public override Tensor Forward(Tensor input)
    {
        var (n, plane) = CheckInput(input);
        var xhat = EnsureLike(ref _normalized, input);
        var output = EnsureLike(ref _output, input);
        var mean = Ensure(ref _mean, Features);
        var invStd = Ensure(ref _invStd, Features);
        long count = (long)n * plane;
        _usedBatchStats = IsTraining;
        if (IsTraining && count < 2)
            throw new ShapeMismatchException($"{Where} needs more than one value per channel in training mode but got input {input.ShapeText}. Use a batch of 2 or more, or call Eval().");
        Kernels.BatchNormForward(input, n, Features, plane, IsTraining, Eps, Momentum, _runningMean, _runningVar,
            Weight.Value, Bias.Value, mean, invStd, xhat, output);
        if (IsTraining)
            _batchesTracked.Data[0] += 1;
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        int c = Features, n = outputGrad.Shape[0], plane = outputGrad.Length / Math.Max(1, n * c);
        var dx = ComputeInputGradient ? EnsureLike(ref _inputGrad, outputGrad) : null;
        Kernels.BatchNormBackward(outputGrad, _normalized!, n, c, plane, _usedBatchStats, Weight.Value, _invStd!,
            Weight.Grad, Bias.Grad, dx);
        return dx ?? NoGradient;
    }
}
