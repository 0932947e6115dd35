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
    private readonly Tensor _batchesTracked; // (): how many training batches updated the running statistics
    private readonly float[] _mean, _invStd; // (C): statistics used by the last forward
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
        _batchesTracked = AddBuffer("num_batches_tracked", new Tensor([0f], []));
        _mean = new float[features];
        _invStd = new float[features];
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
        var x = input.Data;
        var xhat = EnsureLike(ref _normalized, input).Data;
        var output = EnsureLike(ref _output, input);
        var y = output.Data;
        var gamma = Weight.Value.Data;
        var beta = Bias.Value.Data;
        int c = Features;
        long count = (long)n * plane;
        _usedBatchStats = IsTraining;
        if (IsTraining && count < 2)
            throw new ShapeMismatchException($"{Where} needs more than one value per channel in training mode but got input {input.ShapeText}. Use a batch of 2 or more, or call Eval().");
        for (int ch = 0; ch < c; ch++)
        {
            double mean, variance;
            if (IsTraining)
            {
                double sum = 0, sumSq = 0;
                for (int i = 0; i < n; i++)
                {
                    var span = x.AsSpan((i * c + ch) * plane, plane);
                    foreach (var v in span)
                        sum += v;
                }
                mean = sum / count;
                for (int i = 0; i < n; i++)
                {
                    var span = x.AsSpan((i * c + ch) * plane, plane);
                    foreach (var v in span)
                        sumSq += (v - mean) * (v - mean);
                }
                variance = sumSq / count;
                _runningMean.Data[ch] = (float)((1 - Momentum) * _runningMean.Data[ch] + Momentum * mean);
                _runningVar.Data[ch] = (float)((1 - Momentum) * _runningVar.Data[ch] + Momentum * variance * count / (count - 1));
            }
            else
            {
                mean = _runningMean.Data[ch];
                variance = _runningVar.Data[ch];
            }
            float m = (float)mean, inv = (float)(1.0 / Math.Sqrt(variance + Eps));
            _mean[ch] = m;
            _invStd[ch] = inv;
            float g = gamma[ch], b = beta[ch];
            for (int i = 0; i < n; i++)
            {
                int offset = (i * c + ch) * plane;
                for (int j = offset; j < offset + plane; j++)
                {
                    float h = (x[j] - m) * inv;
                    xhat[j] = h;
                    y[j] = h * g + b;
                }
            }
        }
        if (IsTraining)
            _batchesTracked.Data[0] += 1;
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        var xhat = _normalized!.Data;
        var dy = outputGrad.Data;
        int c = Features, plane = outputGrad.Length / Math.Max(1, outputGrad.Shape[0] * c), n = outputGrad.Shape[0];
        double count = (double)n * plane;
        var gamma = Weight.Value.Data;
        var dGamma = Weight.Grad.Data;
        var dBeta = Bias.Grad.Data;
        float[]? dx = ComputeInputGradient ? EnsureLike(ref _inputGrad, outputGrad).Data : null;
        for (int ch = 0; ch < c; ch++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++)
            {
                int offset = (i * c + ch) * plane;
                for (int j = offset; j < offset + plane; j++)
                {
                    sumDy += dy[j];
                    sumDyXhat += dy[j] * xhat[j];
                }
            }
            dGamma[ch] += (float)sumDyXhat;
            dBeta[ch] += (float)sumDy;
            if (dx is null)
                continue;
            float scale = gamma[ch] * _invStd[ch];
            if (_usedBatchStats)
            {
                // dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat))
                float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count);
                for (int i = 0; i < n; i++)
                {
                    int offset = (i * c + ch) * plane;
                    for (int j = offset; j < offset + plane; j++)
                        dx[j] = scale * (dy[j] - meanDy - xhat[j] * meanDyXhat);
                }
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    int offset = (i * c + ch) * plane;
                    for (int j = offset; j < offset + plane; j++)
                        dx[j] = scale * dy[j];
                }
            }
        }
        return dx is null ? NoGradient : _inputGrad!;
    }
}
