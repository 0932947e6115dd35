using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;

namespace MlNetDigits;

/// <summary>
/// Runs a trained CNN on the project's own engine instead of ONNX Runtime: the network is rebuilt from the model's ONNX
/// graph (layers from its metadata, weights from its initializers) and scores one image or a batch with the engine's
/// single-image fast paths. An opt-in runtime for apps that reference this library; the probabilities equal ONNX
/// Runtime's to about 1e-6, and the out-of-distribution score (when the model has one) is the graph's OodScore. Not thread-safe (like ML.NET's PredictionEngine): use one per thread, or a pool; a call made
/// while another is running on the same scorer throws instead of corrupting both. Dispose it to release its kernels'
/// worker threads.
/// </summary>
public sealed class CnnEngineScorer : IDisposable
{
    private readonly List<(Sequential Network, float[] Scale, float[] Shift, float InverseTemperature, OodScoreHead? Ood)> _members;
    private readonly IKernels _kernels;
    private readonly int _channels, _plane;
    private readonly float[] _sum;
    private Tensor? _input;             // x: (n, C, H, W)
    private float[] _features = [];     // (n, F) of the member being run, with the out-of-distribution score
    private float[] _memberScores = []; // (n): one member's OodScore

    private CnnEngineScorer(CnnModelInfo info, byte[] onnxModel, int threads)
    {
        Info = info;
        // Scoring runs on a CPU backend even when training defaults to the GPU: one image at a time is the CPU's job.
        var kind = Kernels.DefaultKind;
        _kernels = Kernels.Create(kind == BackendKind.Gpu ? BackendKind.Auto : kind, threads);
        _members = [];
        foreach (var (network, member, ood) in CnnNetwork.RebuildAll(info, onnxModel))
        {
            network.Kernels = _kernels;
            var (scale, shift) = Normalization.ScaleAndShift(member.Mean, member.StandardDeviation, member.PixelScale, member.InputShape[0]);
            _members.Add((network, scale, shift, (float)(1 / member.Temperature), ood));
        }
        _channels = info.InputShape[0];
        _plane = info.InputShape[1] * info.InputShape[2];
        ClassCount = info.ClassNames.Count;
        _sum = new float[ClassCount];
    }

    /// <summary>What the model is (layers, classes, temperature...).</summary>
    public CnnModelInfo Info { get; }

    /// <summary>The number of classes K: the length of every probability row.</summary>
    public int ClassCount { get; }

    /// <summary>The number of values of one image (C × H × W).</summary>
    public int ImageSize => _channels * _plane;

    /// <summary>Whether the model has the out-of-distribution score (see <see cref="CnnModelInfo.HasOodScore"/>).</summary>
    public bool HasOodScore => Info.HasOodScore;

    /// <summary>A scorer for the CNN inside an ML.NET model file.</summary>
    public static CnnEngineScorer FromModelFile(string modelPath, int threads = 1) => FromOnnx(CnnModelInfo.ReadOnnxFromModelFile(modelPath), threads);

    /// <summary>A scorer for an ONNX graph exported by this library (e.g. <see cref="ImageClassificationTransformer.GetOnnxModel"/>).</summary>
    /// <param name="onnxModel">The graph.</param>
    /// <param name="threads">Threads of the engine's kernels (1 suits one image at a time).</param>
    public static CnnEngineScorer FromOnnx(byte[] onnxModel, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        return new CnnEngineScorer(CnnModelInfo.FromOnnx(onnxModel), onnxModel, threads);
    }

    /// <summary>The class probabilities of one raw image (C, H, W), written into <paramref name="probabilities"/> (K).</summary>
    public void Score(ReadOnlySpan<float> image, Span<float> probabilities) => ScoreBatch(image, probabilities);

    /// <summary>The class probabilities (n, K) of n raw images (n, C, H, W).</summary>
    public void ScoreBatch(ReadOnlySpan<float> images, Span<float> probabilities) => ScoreBatch(images, probabilities, [], false);

    /// <summary>
    /// The class probabilities (n, K) and the out-of-distribution scores (n) of n raw images (n, C, H, W), as the graph's
    /// OodScore computes them: each member's max(energy, distance) in tail units minus its threshold (see
    /// <see cref="OodScoreHead"/>), averaged over the members.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no out-of-distribution score (<see cref="HasOodScore"/> is false).</exception>
    public void ScoreBatch(ReadOnlySpan<float> images, Span<float> probabilities, Span<float> oodScores)
    {
        if (!HasOodScore)
            throw new InvalidOperationException("This model has no out-of-distribution score: it was trained without validation images, with OodFalsePositiveRate 0, or before the score existed. Retrain it, or call ScoreBatch without oodScores.");
        ScoreBatch(images, probabilities, oodScores, true);
    }

    private void ScoreBatch(ReadOnlySpan<float> images, Span<float> probabilities, Span<float> oodScores, bool withOod)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) == 1)
            throw new InvalidOperationException("This CnnEngineScorer is already scoring on another thread. A scorer (like ML.NET's PredictionEngine) is not thread-safe: give each thread its own, or share a DigitClassifier or PredictionEnginePool.");
        try
        {
            ScoreBatchCore(images, probabilities, oodScores, withOod);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private int _busy;

    private void ScoreBatchCore(ReadOnlySpan<float> images, Span<float> probabilities, Span<float> oodScores, bool withOod)
    {
        int size = ImageSize, count = images.Length / size;
        if (count == 0 || images.Length != count * size || probabilities.Length != count * ClassCount)
            throw new ArgumentException($"Expected whole images of {size} values and room for {ClassCount} probabilities each; got {images.Length} and {probabilities.Length}.");
        if (withOod && oodScores.Length != count)
            throw new ArgumentException($"Expected room for {count} out-of-distribution scores (one per image); got {oodScores.Length}.", nameof(oodScores));
        if (_input is null || _input.Shape[0] != count)
            _input = new Tensor(count, _channels, Info.InputShape[1], Info.InputShape[2]);
        probabilities.Clear();
        if (withOod)
            oodScores.Clear();
        foreach (var (network, scale, shift, inverseTemperature, ood) in _members)
        {
            Normalization.Apply(images, _input.Data, _channels, _plane, scale, shift);
            float[] logits;
            if (withOod)
            {
                int f = ood!.Mahalanobis.FeatureCount;
                if (_features.Length != count * f)
                    _features = new float[count * f];
                if (_memberScores.Length != count)
                    _memberScores = new float[count];
                logits = PenultimateFeatures.Forward(network, _input, _features).Data;
                ood.Score(_features, logits.AsSpan(0, count * ClassCount), _memberScores);
                for (int i = 0; i < count; i++)
                    oodScores[i] += _memberScores[i] / _members.Count;
            }
            else
            {
                logits = network.Forward(_input).Data;
            }
            for (int i = 0; i < count; i++)
            {
                var row = _sum.AsSpan();
                logits.AsSpan(i * ClassCount, ClassCount).CopyTo(row);
                if (inverseTemperature != 1f)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, inverseTemperature, row);
                TemperatureScaling.Softmax(row);
                System.Numerics.Tensors.TensorPrimitives.Add(probabilities.Slice(i * ClassCount, ClassCount), row, probabilities.Slice(i * ClassCount, ClassCount));
            }
        }
        if (_members.Count > 1)
            System.Numerics.Tensors.TensorPrimitives.Divide(probabilities, _members.Count, probabilities);
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        (_kernels as IDisposable)?.Dispose();
    }
}
