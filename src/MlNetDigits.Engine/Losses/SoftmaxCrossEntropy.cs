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

    public SoftmaxCrossEntropy(double labelSmoothing = 0)
    {
        if (labelSmoothing < 0 || labelSmoothing > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"Label smoothing must be in [0, 1]; got {labelSmoothing}.");
        LabelSmoothing = labelSmoothing;
    }

    public double LabelSmoothing { get; }

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
        targets.CopyTo(_targets);
        _batch = n;
        var z = logits.Data;
        var p = _probabilities.Data;
        double total = 0, e = LabelSmoothing;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            if ((uint)t >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {t} at row {i} is outside 0..{k - 1} for {k} classes.");
            var row = z.AsSpan(i * k, k);
            float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
            double sumExp = 0;
            for (int j = 0; j < k; j++)
                sumExp += Math.Exp(row[j] - max);
            double logSum = Math.Log(sumExp) + max;
            double sumLogP = 0;
            for (int j = 0; j < k; j++)
            {
                double logP = row[j] - logSum;
                p[i * k + j] = (float)Math.Exp(logP);
                sumLogP += logP;
            }
            double nll = logSum - row[t];
            total += (1 - e) * nll - e * sumLogP / k;
        }
        return (float)(total / n);
    }

    /// <summary>dLoss/dlogits for the last Forward: (N, K), reused between calls.</summary>
    public Tensor Backward()
    {
        if (_probabilities is null)
            throw new InvalidOperationException("SoftmaxCrossEntropy.Backward called before Forward.");
        int n = _batch, k = _probabilities.Shape[1];
        var p = _probabilities.Data;
        var g = _logitsGrad!.Data;
        float e = (float)LabelSmoothing, invN = 1f / n, uniform = e / k;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
                g[i * k + j] = (p[i * k + j] - uniform) * invN;
            g[i * k + _targets[i]] -= (1 - e) * invN;
        }
        return _logitsGrad;
    }
}
