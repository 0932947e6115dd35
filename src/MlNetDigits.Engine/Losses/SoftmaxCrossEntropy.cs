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
    private IntTensor? _targets;    // (N), where the logits live
    private IKernels? _active;      // the backend of the last Forward

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

    /// <summary>
    /// The backend the loss runs on for logits in host memory; set it to the network's to keep a step on one backend.
    /// Logits on a device are always handled by that device's backend.
    /// </summary>
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
        var device = logits.Device;
        var kernels = device?.Kernels ?? Kernels;
        if (kernels.Device != device)
            throw new InvalidOperationException($"SoftmaxCrossEntropy runs on {kernels.Description}, but the logits {logits.ShapeText} are in host memory. " +
                "Give the loss the network's kernels (loss.Kernels = network.Kernels).");
        _active = kernels;
        if (_probabilities is null || !_probabilities.HasShape(logits.Shape) || _probabilities.Device != device)
        {
            _probabilities?.Release();
            _logitsGrad?.Release();
            _targets?.Release();
            _probabilities = Tensor.Zeros(device, n, k);
            _logitsGrad = Tensor.Zeros(device, n, k);
            _targets = IntTensor.Zeros(device, n);
        }
        for (int i = 0; i < n; i++)
            if ((uint)targets[i] >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {targets[i]} at row {i} is outside 0..{k - 1} for {k} classes.");
        _targets!.CopyFrom(targets);
        return (float)kernels.SoftmaxCrossEntropy(logits, _targets, k, LabelSmoothing, _probabilities);
    }

    /// <summary>dLoss/dlogits for the last Forward: (N, K), reused between calls.</summary>
    public Tensor Backward()
    {
        if (_probabilities is null)
            throw new InvalidOperationException("SoftmaxCrossEntropy.Backward called before Forward.");
        _active!.SoftmaxCrossEntropyBackward(_probabilities, _targets!, _probabilities.Shape[1], LabelSmoothing, _logitsGrad!);
        return _logitsGrad!;
    }
}
