using System.Collections.Concurrent;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Model;

namespace MlNetDigits.Trainers.ImageClassification;

/// <summary>
/// A trained CNN image classifier: "Score" = softmax(f(x') / T), x' = (x / PixelScale - mean[c]) / std[c], f the network
/// (evaluation mode) and T the calibration temperature; "PredictedLabel" is the most probable class in the label's type.
/// Saved as network.json (input shape, layer specs, normalisation, temperature), weights.bin (the engine's state
/// dictionary), history.json, training.json and calibration.json. Safe to use from several threads: each thread rents
/// its own copy of the network.
/// </summary>
[ModelStage("ImageClassification")]
public sealed class ImageClassificationTransformer : MulticlassPredictionTransformer
{
    private const string NetworkEntry = "network.json";
    private const string WeightsEntry = "weights.bin";
    private const string HistoryEntry = "history.json";
    private const string TrainingEntry = "training.json";
    private const string CalibrationEntry = "calibration.json";

    private readonly Dictionary<string, Tensor> _weights;
    private readonly ConcurrentBag<Replica> _networks = [];
    private int _replicaCount;
    private readonly float[] _scale, _shift; // (C): x' = x * scale[c] + shift[c]

    internal ImageClassificationTransformer(string featureColumnName, MulticlassLabelInfo label, NetworkSpec network,
        IReadOnlyDictionary<string, Tensor> weights, float[] mean, float[] standardDeviation, float pixelScale, double temperature,
        IReadOnlyList<ImageClassificationEpoch> history, CalibrationResult? calibration, ImageClassificationSettings? settings)
        : base(featureColumnName, network.Channels * network.Height * network.Width, label)
    {
        if (network.OutputShape.Count != 1 || network.OutputShape[0] != label.ClassCount)
            throw new ArgumentException($"The network ends in {Tensor.ShapeToText([.. network.OutputShape])} values but the label has {label.ClassCount} classes.", nameof(network));
        if (!(temperature > 0 && double.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a positive finite number.");
        Network = network;
        Mean = ExpandPerChannel(mean, network.Channels, "mean");
        StandardDeviation = ExpandPerChannel(standardDeviation, network.Channels, "standard deviation");
        PixelScale = pixelScale;
        Temperature = temperature;
        History = history;
        Calibration = calibration;
        Settings = settings;
        _scale = new float[network.Channels];
        _shift = new float[network.Channels];
        for (int c = 0; c < network.Channels; c++)
        {
            if (!(StandardDeviation[c] > 0) || !(pixelScale > 0))
                throw new ArgumentOutOfRangeException(nameof(standardDeviation), "Standard deviations and the pixel scale must be positive.");
            _scale[c] = 1f / (pixelScale * StandardDeviation[c]);
            _shift[c] = -Mean[c] / StandardDeviation[c];
        }
        _weights = weights.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);
        _networks.Add(CreateNetwork()); // checks the weights against the architecture now
    }

    /// <summary>The architecture, classifier head included.</summary>
    public NetworkSpec Network { get; }

    /// <summary>Per-channel mean of the scaled pixels.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Per-channel standard deviation of the scaled pixels.</summary>
    public IReadOnlyList<float> StandardDeviation { get; }

    /// <summary>Inputs are divided by this before normalisation (255 for raw pixels).</summary>
    public float PixelScale { get; }

    /// <summary>The calibration temperature T (1 when not calibrated).</summary>
    public double Temperature { get; }

    /// <summary>Loss and accuracy per epoch, training and validation.</summary>
    public IReadOnlyList<ImageClassificationEpoch> History { get; }

    /// <summary>The fitted temperature with the calibration error before and after; null when not calibrated.</summary>
    public CalibrationResult? Calibration { get; }

    /// <summary>The settings of the training run (null for a model built otherwise).</summary>
    public ImageClassificationSettings? Settings { get; }

    /// <summary>A copy of the network's parameters and batch-norm statistics, by PyTorch-style name.</summary>
    public IReadOnlyDictionary<string, Tensor> GetWeights() => _weights.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

    /// <summary>The raw network outputs (logits, before temperature and softmax) of images (count, C, H, W) → (count, K).</summary>
    public void PredictLogitsBatch(ReadOnlySpan<float> features, Span<float> logits)
    {
        int count = features.Length / FeatureCount;
        if (count == 0 || features.Length != count * FeatureCount || logits.Length != count * ClassCount)
            throw new ArgumentException($"Expected whole images of {FeatureCount} values and room for {ClassCount} logits each; got {features.Length} and {logits.Length}.");
        Run(features, count, logits, softmax: false);
    }

    protected override void Score(ReadOnlySpan<float> features, Span<float> probabilities) => Run(features, 1, probabilities, softmax: true);

    protected override void ScoreBatchCore(ReadOnlySpan<float> features, int count, Span<float> probabilities) =>
        Run(features, count, probabilities, softmax: true);

    // features: (count, C, H, W) raw; output: (count, K) logits or probabilities. Batches of up to 500 per forward pass.
    private void Run(ReadOnlySpan<float> features, int count, Span<float> output, bool softmax)
    {
        var replica = Rent();
        try
        {
            int batch = Math.Min(count, ImageClassificationTrainer.Defaults.EvaluationBatchSize);
            float invT = (float)(1 / Temperature);
            for (int start = 0; start < count; start += batch)
            {
                int n = Math.Min(batch, count - start);
                var x = replica.Input(n);
                Normalize(features.Slice(start * FeatureCount, n * FeatureCount), x.Data);
                var logits = replica.Net.Forward(x).Data;
                var rows = output.Slice(start * ClassCount, n * ClassCount);
                logits.AsSpan(0, n * ClassCount).CopyTo(rows);
                if (!softmax)
                    continue;
                for (int i = 0; i < n; i++)
                {
                    var row = rows.Slice(i * ClassCount, ClassCount);
                    if (invT != 1f)
                        TensorPrimitives.Multiply(row, invT, row);
                    Softmax(row);
                }
            }
        }
        finally
        {
            _networks.Add(replica);
        }
    }

    /// <summary>x' = x / PixelScale normalised per channel, from raw <paramref name="source"/> into <paramref name="destination"/> (both (n, C, H, W)).</summary>
    internal void Normalize(ReadOnlySpan<float> source, Span<float> destination) =>
        NormalizeInto(source, destination, Network.Channels, Network.Height * Network.Width, _scale, _shift);

    /// <summary>destination = source * scale[c] + shift[c] for each channel plane of (n, C, P) data.</summary>
    internal static void NormalizeInto(ReadOnlySpan<float> source, Span<float> destination, int channels, int plane, float[] scale, float[] shift)
    {
        for (int offset = 0, c = 0; offset < source.Length; offset += plane, c = (c + 1) % channels)
        {
            var dst = destination.Slice(offset, plane);
            TensorPrimitives.Multiply(source.Slice(offset, plane), scale[c], dst);
            TensorPrimitives.Add(dst, shift[c], dst);
        }
    }

    private Replica Rent() => _networks.TryTake(out var replica) ? replica : CreateNetwork();

    // The first copy runs on a backend like Kernels.Default (all cores unless MLND_THREADS says otherwise); copies made
    // for concurrent callers run single-threaded. No two copies share a backend, so concurrent calls never collide.
    private Replica CreateNetwork()
    {
        var shared = Kernels.Default;
        var net = Network.Build(new Rng(0));
        net.Kernels = Kernels.Create(shared.Kind, Interlocked.Increment(ref _replicaCount) == 1 ? shared.Threads : 1);
        net.LoadStateDict(_weights);
        net.Eval();
        return new Replica(net, Network);
    }

    /// <summary>One thread's copy of the network with its input tensors (one per batch size last used).</summary>
    private sealed class Replica(Sequential net, NetworkSpec spec)
    {
        private Tensor? _input; // x: (n, C, H, W)

        public Sequential Net { get; } = net;

        public Tensor Input(int n)
        {
            if (_input is null || _input.Shape[0] != n)
                _input = new Tensor(n, spec.Channels, spec.Height, spec.Width);
            return _input;
        }
    }

    public override void Save(ModelSaveContext context)
    {
        SavePrediction(context);
        context.WriteJson(NetworkEntry, new StoredNetwork([Network.Channels, Network.Height, Network.Width], [.. Network.Layers],
            [.. Mean], [.. StandardDeviation], PixelScale, Temperature));
        context.WriteBinary(WeightsEntry, writer =>
        {
            writer.Flush();
            StateDictionary.Save(writer.BaseStream, _weights);
        });
        context.WriteJson(HistoryEntry, History);
        if (Settings is not null)
            context.WriteJson(TrainingEntry, Settings);
        if (Calibration is not null)
            context.WriteJson(CalibrationEntry, Calibration);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static ImageClassificationTransformer Load(ModelLoadContext context)
    {
        var (featureColumn, featureCount, label) = LoadPrediction(context);
        var stored = context.ReadJson<StoredNetwork>(NetworkEntry);
        var where = $"Model entry '{context.Folder}/{NetworkEntry}'";
        if (stored.InputShape is not { Length: 3 } shape || stored.Layers is null || stored.Mean is null || stored.StandardDeviation is null)
            throw new InvalidModelException($"{where} lacks the input shape (C, H, W), the layers or the normalisation.");
        NetworkSpec network;
        try
        {
            network = NetworkSpec.Parse(stored.Layers, shape[0], shape[1], shape[2]);
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelException($"{where} describes an invalid network: {e.Message}");
        }
        if (shape[0] * shape[1] * shape[2] != featureCount)
            throw new InvalidModelException($"{where} has input shape ({shape[0]}, {shape[1]}, {shape[2]}) but the model reads {featureCount} features.");
        var weights = context.ReadBinary(WeightsEntry, reader => StateDictionary.Load(reader.BaseStream));
        foreach (var (name, tensor) in weights)
            if (!TensorPrimitives.IsFiniteAll<float>(tensor.Data))
                throw new InvalidModelException($"Model entry '{context.Folder}/{WeightsEntry}' holds NaN or infinite values in '{name}'.");
        var history = context.Contains(HistoryEntry) ? context.ReadJson<ImageClassificationEpoch[]>(HistoryEntry) : [];
        var settings = context.Contains(TrainingEntry) ? context.ReadJson<ImageClassificationSettings>(TrainingEntry) : null;
        var calibration = context.Contains(CalibrationEntry) ? context.ReadJson<CalibrationResult>(CalibrationEntry) : null;
        try
        {
            return new ImageClassificationTransformer(featureColumn, label, network, weights, stored.Mean, stored.StandardDeviation,
                stored.PixelScale, stored.Temperature, history, calibration, settings);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw new InvalidModelException($"Model stage '{context.Folder}' does not fit together: {e.Message}");
        }
    }

    private static float[] ExpandPerChannel(float[] values, int channels, string what)
    {
        if (values is null || (values.Length != 1 && values.Length != channels))
            throw new ArgumentException($"The {what} needs one value or one per channel ({channels}); got {values?.Length ?? 0}.");
        return values.Length == channels ? [.. values] : [.. Enumerable.Repeat(values[0], channels)];
    }

    private sealed record StoredNetwork(int[] InputShape, string[] Layers, float[] Mean, float[] StandardDeviation, float PixelScale, double Temperature);
}
