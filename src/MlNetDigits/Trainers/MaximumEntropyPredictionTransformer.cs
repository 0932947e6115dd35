using System.Numerics.Tensors;
using MlNetDigits.Model;

namespace MlNetDigits.Trainers;

/// <summary>
/// A linear maximum-entropy (multinomial logistic) classifier: P(c | x) = softmax(W x + b)_c, as trained by
/// <see cref="SdcaMaximumEntropyMulticlassTrainer"/>. Saved as weights.bin (little-endian: Int32 K, Int32 features, then
/// W (K, features) row-major and b (K) as Single) beside a JSON sidecar with the training settings.
/// </summary>
[ModelStage("MaximumEntropy")]
public sealed class MaximumEntropyPredictionTransformer : MulticlassPredictionTransformer
{
    private const string WeightsEntry = "weights.bin";
    private const string TrainingEntry = "training.json";

    private readonly float[] _weights; // w: (K, features)
    private readonly float[] _bias;    // b: (K)

    internal MaximumEntropyPredictionTransformer(string featureColumnName, int featureCount, MulticlassLabelInfo label,
        float[] weights, float[] bias, SdcaTrainingSummary? summary)
        : base(featureColumnName, featureCount, label)
    {
        if (weights.Length != label.ClassCount * featureCount || bias.Length != label.ClassCount)
            throw new ArgumentException($"Expected {label.ClassCount} x {featureCount} weights and {label.ClassCount} biases.", nameof(weights));
        _weights = weights;
        _bias = bias;
        Summary = summary;
    }

    /// <summary>The weights of class <paramref name="classIndex"/> (one per feature).</summary>
    public ReadOnlySpan<float> GetWeights(int classIndex) => _weights.AsSpan(classIndex * FeatureCount, FeatureCount);

    /// <summary>The biases, one per class.</summary>
    public ReadOnlySpan<float> Bias => _bias;

    /// <summary>How the model was trained (settings actually used, epochs, final losses); null when unknown.</summary>
    public SdcaTrainingSummary? Summary { get; }

    protected override void Score(ReadOnlySpan<float> features, Span<float> probabilities)
    {
        // probabilities: (K) = softmax(W x + b)
        for (int c = 0; c < ClassCount; c++)
            probabilities[c] = TensorPrimitives.Dot(_weights.AsSpan(c * FeatureCount, FeatureCount), features) + _bias[c];
        Softmax(probabilities);
    }

    public override void Save(ModelSaveContext context)
    {
        SavePrediction(context);
        context.WriteBinary(WeightsEntry, writer =>
        {
            writer.Write(ClassCount);
            writer.Write(FeatureCount);
            foreach (var w in _weights)
                writer.Write(w);
            foreach (var b in _bias)
                writer.Write(b);
        });
        if (Summary is not null)
            context.WriteJson(TrainingEntry, Summary);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static MaximumEntropyPredictionTransformer Load(ModelLoadContext context)
    {
        var (featureColumn, featureCount, label) = LoadPrediction(context);
        var (weights, bias) = context.ReadBinary(WeightsEntry, reader =>
        {
            int k = reader.ReadInt32(), d = reader.ReadInt32();
            if (k != label.ClassCount || d != featureCount)
                throw new InvalidModelException(
                    $"Model entry '{context.Folder}/{WeightsEntry}' holds {k} x {d} weights but the model has {label.ClassCount} classes and {featureCount} features.");
            var w = new float[k * d];
            for (int i = 0; i < w.Length; i++)
                w[i] = reader.ReadSingle();
            var b = new float[k];
            for (int i = 0; i < b.Length; i++)
                b[i] = reader.ReadSingle();
            return (w, b);
        });
        if (!TensorPrimitives.IsFiniteAll<float>(weights) || !TensorPrimitives.IsFiniteAll<float>(bias))
            throw new InvalidModelException($"Model entry '{context.Folder}/{WeightsEntry}' holds NaN or infinite weights.");
        var summary = context.Contains(TrainingEntry) ? context.ReadJson<SdcaTrainingSummary>(TrainingEntry) : null;
        return new MaximumEntropyPredictionTransformer(featureColumn, featureCount, label, weights, bias, summary);
    }
}

/// <summary>
/// The settings an SDCA run actually used (automatic values resolved) and how it ended; the losses are those of the kept
/// weights (null when not finite).
/// </summary>
public sealed record SdcaTrainingSummary(
    float L2Regularization,
    float L1Regularization,
    int MaximumNumberOfIterations,
    float ConvergenceTolerance,
    bool Shuffle,
    int NumberOfThreads,
    float BiasLearningRate,
    int ConvergenceCheckFrequency,
    bool Deterministic,
    int Seed,
    int ExampleCount,
    int Epochs,
    int BestEpoch,
    bool Converged,
    double? PrimalLoss,
    double? DualityGap);
