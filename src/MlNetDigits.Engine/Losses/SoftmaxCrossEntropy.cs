using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Losses;

/// <summary>
/// Cross-entropy of softmax(logits) against class indices, mean over the batch, fused with log-softmax for stability
/// (PyTorch's nn.CrossEntropyLoss). With label smoothing e the target distribution is (1 - e) one-hot + e / K, so
/// loss = (1 - e) * (-log p[target]) + e * mean over k of (-log p[k]); dLoss/dlogits = (softmax - target distribution) / N.
/// </summary>
public sealed class SoftmaxCrossEntropy
{
    private Tensor? _probabilities; // (N, K)
    private Tensor? _logitsGrad;    // (N, K)
    private int[] _targets = [];
    private int _batch;

    /// <param name="labelSmoothing">e in [0, 1]; 0 for plain cross-entropy.</param>
    /// <param name="kernels">The backend that computes it (default: <see cref="Kernels.Default"/> when first used).</param>
    public SoftmaxCrossEntropy(double labelSmoothing = 0, IKernels? kernels = null)
    {
        if (labelSmoothing < 0 || labelSmoothing > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"Label smoothing must be in [0, 1]; got {labelSmoothing}.");
        LabelSmoothing = labelSmoothing;
        _kernels = kernels;
    }

    public double LabelSmoothing { get; }

    /// <summary>The backend the loss runs on; set it to the network's to keep a step on one backend.</summary>
    public IKernels Kernels
    {
        get => _kernels ??= Backends.Kernels.Default;
        set => _kernels = value ?? throw new ArgumentNullException(nameof(value));
    }

    private IKernels? _kernels;

    /// <summary>softmax(logits) of the last <see cref="Forward"/>: (N, K).</summary>
    public Tensor Probabilities => _probabilities ?? throw new InvalidOperationException("Call Forward first.");

    /// <summary>Returns the mean loss of <paramref name="logits"/> (N, K) against <paramref name="targets"/> (N values in 0..K-1).</summary>
    public float Forward(Tensor logits, ReadOnlySpan<int> targets)
    {
        if (logits.Rank != 2)
            throw new ShapeMismatchException($"SoftmaxCrossEntropy expects logits (N, K) but got {logits.ShapeText}.");
        int n = logits.Shape[0], k = logits.Shape[1];
        if (targets.Length != n)
            throw new ShapeMismatchException($"SoftmaxCrossEntropy got logits {logits.ShapeText} but {targets.Length} targets; one target per row is expected.");
        if (_probabilities is null || !_probabilities.HasShape(logits.Shape))
        {
            _probabilities = new Tensor(n, k);
            _logitsGrad = new Tensor(n, k);
            _targets = new int[n];
        }
        for (int i = 0; i < n; i++)
            if ((uint)targets[i] >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {targets[i]} at row {i} is outside 0..{k - 1} for {k} classes.");
        targets.CopyTo(_targets);
        _batch = n;
        return (float)Kernels.SoftmaxCrossEntropy(logits.Data, targets, k, LabelSmoothing, _probabilities.Data);
    }

    /// <summary>dLoss/dlogits for the last Forward: (N, K), reused between calls.</summary>
    public Tensor Backward()
    {
        if (_probabilities is null)
            throw new InvalidOperationException("SoftmaxCrossEntropy.Backward called before Forward.");
        Kernels.SoftmaxCrossEntropyBackward(_probabilities.Data, _targets.AsSpan(0, _batch), _probabilities.Shape[1], LabelSmoothing, _logitsGrad!.Data);
        return _logitsGrad;
    }
}
