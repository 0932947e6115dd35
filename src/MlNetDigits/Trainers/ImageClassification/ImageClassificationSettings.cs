namespace MlNetDigits;

/// <summary>
/// The settings a CNN training run actually used: the options with every preset value filled in. Stored in the model
/// file and in checkpoints (a checkpoint only resumes a run with the same settings).
/// </summary>
public sealed record ImageClassificationSettings
{
    public required string Preset { get; init; }

    /// <summary>The layers before the classifier head.</summary>
    public required IReadOnlyList<string> Layers { get; init; }

    public required int Epochs { get; init; }

    public required int BatchSize { get; init; }

    public required string Optimizer { get; init; }

    public required double LearningRate { get; init; }

    public double? Momentum { get; init; }

    public bool? Nesterov { get; init; }

    public double? Beta1 { get; init; }

    public double? Beta2 { get; init; }

    public double? Epsilon { get; init; }

    public double? WeightDecay { get; init; }

    public double? GradientClipNorm { get; init; }

    public required string LearningRateSchedule { get; init; }

    public double? ScheduleGamma { get; init; }

    public int? ScheduleStepSize { get; init; }

    public required double LabelSmoothing { get; init; }

    public required bool Shuffle { get; init; }

    public ImageAugmentationOptions? Augmentation { get; init; }

    public required double ValidationSetFraction { get; init; }

    /// <summary>True when validation images came from <c>Options.ValidationSet</c>.</summary>
    public required bool ExplicitValidationSet { get; init; }

    public EarlyStoppingOptions? EarlyStoppingCriteria { get; init; }

    public bool TestOnTrainSet { get; init; }

    public required float[] Mean { get; init; }

    public required float[] StandardDeviation { get; init; }

    public required float PixelScale { get; init; }

    public required bool Calibrate { get; init; }

    public required int Seed { get; init; }

    public required int NumberOfThreads { get; init; }

    /// <summary>The ONNX graph's SHA-256 (first 12 hex digits) of the model training started from; null: from scratch.</summary>
    public string? InitialModel { get; init; }
}
