using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace MlNetDigits.Cli.Training;

/// <summary>
/// What to train, as given on the command line: the learner ("sdca" or "cnn") and its settings. <see cref="Build"/> makes
/// the standard pipeline: MapValueToKey("Label") → (SDCA: NormalizeMinMax("Features", "Image") → ML.NET's SdcaMaximumEntropy;
/// CNN: ImageClassification on the raw "Image" column) → MapKeyToValue("PredictedLabel").
/// </summary>
internal sealed record LearnerSettings
{
    /// <summary>The backend names accepted by <c>--backend</c>.</summary>
    public static IReadOnlyList<string> BackendNames { get; } = ["auto", "managed", "openblas", "gpu"];

    /// <summary>The learner names accepted by <c>--trainer</c>.</summary>
    public static IReadOnlyList<string> TrainerNames { get; } = ["sdca", "cnn"];

    /// <summary>"sdca" or "cnn".</summary>
    public required string Trainer { get; init; }

    /// <summary>The CNN preset ("fast", "classic", "best").</summary>
    public string Preset { get; init; } = ImageClassificationTrainer.Defaults.Preset;

    /// <summary>CNN epochs or SDCA's most iterations; null: the preset's (CNN) or chosen from the data size (SDCA).</summary>
    public int? Epochs { get; init; }

    /// <summary>The CNN optimizer; null: the preset's.</summary>
    public string? Optimizer { get; init; }

    /// <summary>The seed of every random choice of the run.</summary>
    public required int Seed { get; init; }

    /// <summary>Threads to train with; null: every core.</summary>
    public int? Threads { get; init; }

    /// <summary>The CNN's training backend ("auto", "managed", "openblas", "gpu"); null: the process default (MLND_BACKEND).</summary>
    public string? Backend { get; init; }

    /// <summary>The folder where the CNN writes checkpoint.zip after each epoch (the trainer's WorkspacePath); null: none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>A CNN checkpoint (folder or file) to continue from.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>The CNN's (peak) learning rate; null: the preset's (or, for the optimizer given, PyTorch's default).</summary>
    public double? LearningRate { get; init; }

    /// <summary>CNN augmentation: true on (the preset's augmentation, or random affine maps when it has none), false off, null the preset's choice.</summary>
    public bool? Augmentation { get; init; }

    /// <summary>CNN: shuffle the training images every epoch (true), keep the file order (false), or the preset's choice (null).</summary>
    public bool? Shuffle { get; init; }

    /// <summary>A trained CNN to start from (fine-tuning): its layers, weights and normalisation replace the preset's; null: from scratch.</summary>
    public ImageClassificationTransformer? InitialModel { get; init; }

    /// <summary>The file <see cref="InitialModel"/> came from, for descriptions.</summary>
    public string? InitialModelPath { get; init; }

    /// <summary>Batches between CNN progress reports.</summary>
    public int ProgressInterval { get; init; } = 10;

    public bool IsCnn => Trainer == "cnn";

    /// <summary>A short description, e.g. "SDCA maximum entropy" or "CNN (preset fast, 1 epoch)".</summary>
    public string Description
    {
        get
        {
            if (!IsCnn)
                return Epochs is { } most ? string.Create(CultureInfo.InvariantCulture, $"SDCA maximum entropy (at most {most} iterations)") : "SDCA maximum entropy";
            var parts = new List<string> { $"preset {Preset}" };
            if (Epochs is { } epochs)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{epochs} epoch{(epochs == 1 ? "" : "s")}"));
            if (Optimizer is { } optimizer)
                parts.Add(optimizer.ToLowerInvariant());
            if (LearningRate is { } rate)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"lr {rate:G4}"));
            if (Augmentation is { } augment)
                parts.Add(augment ? "augmentation on" : "augmentation off");
            return InitialModelPath is { } from
                ? $"CNN fine-tuned from {Path.GetFileName(from)} ({string.Join(", ", parts)})"
                : $"CNN ({string.Join(", ", parts)})";
        }
    }

    /// <summary>Checks the combination of settings; throws <see cref="UsageException"/> naming the offending option.</summary>
    public void Validate()
    {
        if (!TrainerNames.Contains(Trainer))
            throw new UsageException($"--trainer must be one of {string.Join(", ", TrainerNames)}, not '{Trainer}'.");
        if (Epochs is <= 0 or > 10_000)
            throw new UsageException($"--epochs must be between 1 and 10000, not {Epochs}.");
        if (Threads is <= 0 or > 1024)
            throw new UsageException($"--threads must be between 1 and 1024, not {Threads}.");
        if (Optimizer is { } optimizer && !Engine.Optim.OptimizerFactory.Names.Contains(optimizer.ToLowerInvariant()))
            throw new UsageException($"--optimizer must be one of {string.Join(", ", Engine.Optim.OptimizerFactory.Names)}, not '{optimizer}'.");
        if (Backend is { } backend && !BackendNames.Contains(backend.ToLowerInvariant()))
            throw new UsageException($"--backend must be one of {string.Join(", ", BackendNames)}, not '{backend}'.");
        if (!IsCnn && Backend is not null)
            throw new UsageException("--backend applies to --trainer cnn only (SDCA is ML.NET's and runs on the CPU).");
        if (!IsCnn && Optimizer is not null)
            throw new UsageException("--optimizer applies to --trainer cnn only (SDCA has no optimizer to choose).");
        if (LearningRate is { } rate && !(rate > 0 && rate <= 10))
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--learning-rate must be a number above 0 and at most 10, e.g. 0.001, not {rate}."));
        if (!IsCnn && (LearningRate is not null || Augmentation is not null))
            throw new UsageException("--learning-rate and --augmentation apply to --trainer cnn only (SDCA tunes its own step sizes and reads no images as such).");
        if (!IsCnn && (CheckpointDirectory is not null || ResumeFrom is not null))
            throw new UsageException("--checkpoint and --resume apply to --trainer cnn only (SDCA trains in one go).");
    }

    /// <summary>
    /// The augmentation <c>--augmentation on</c> means: the preset's own ("best": random affine maps), or for a preset without
    /// one the same random affine maps (rotation, scale, shift, shear; no elastic distortion).
    /// </summary>
    public static ImageAugmentationOptions AugmentationOn(string preset) =>
        ImageClassificationPreset.Get(preset).Augmentation ?? new ImageAugmentationOptions { Elastic = false };

    /// <summary>The estimator chain that trains this learner on data with "Label" (UInt32) and "Image" (a Single vector) columns.</summary>
    /// <param name="ml">The context (its seed drives SDCA's shuffling; the CNN gets <see cref="Seed"/> explicitly).</param>
    /// <param name="metricsCallback">Receives the CNN's progress reports (SDCA reports through <c>ml.Log</c> instead).</param>
    /// <param name="cancellationToken">Stops the CNN between batches (SDCA stops through <c>ml.CancelExecution</c>).</param>
    public IEstimator<ITransformer> Build(MLContext ml, Action<TrainingProgress> metricsCallback, CancellationToken cancellationToken)
    {
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        if (IsCnn)
        {
            var options = new ImageClassificationTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Image",
                Preset = Preset,
                Epochs = Epochs,
                Optimizer = Optimizer?.ToLowerInvariant(),
                LearningRate = LearningRate,
                Shuffle = Shuffle,
                InitialModel = InitialModel,
                Seed = Seed,
                NumberOfThreads = Threads,
                Backend = Backend is null ? null : Enum.Parse<Engine.Backends.BackendKind>(Backend, ignoreCase: true),
                WorkspacePath = CheckpointDirectory,
                ResumeFrom = ResumeFrom,
                ProgressInterval = ProgressInterval,
                MetricsCallback = metricsCallback,
                CancellationToken = cancellationToken,
            };
            if (Augmentation is { } augment)
                options.Augmentation = augment ? AugmentationOn(Preset) : null;
            return toKey
                .Append(ml.MulticlassClassification.Trainers.ImageClassification(options))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        }
        return toKey
            .Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                MaximumNumberOfIterations = Epochs,
                NumberOfThreads = Threads,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }
}
