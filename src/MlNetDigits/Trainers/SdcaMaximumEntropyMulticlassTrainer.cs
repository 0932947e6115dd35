using System.Globalization;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Engine.Sdca;

namespace MlNetDigits.Trainers;

/// <summary>
/// Trains a linear maximum-entropy classifier, P(c | x) = softmax(W x + b)_c, by Stochastic Dual Coordinate Ascent in
/// ML.NET's multiclass formulation (see <see cref="SdcaMaximumEntropySolver"/>). Created by
/// <c>context.MulticlassClassification.Trainers.SdcaMaximumEntropy(...)</c>. Features should be scaled (e.g. pixels to [0, 1]).
/// </summary>
public sealed class SdcaMaximumEntropyMulticlassTrainer : ITrainerEstimator<MaximumEntropyPredictionTransformer>
{
    /// <summary>The trainer's name in progress reports.</summary>
    public const string TrainerName = "SdcaMaximumEntropy";

    private readonly DigitsContext _context;
    private readonly Options _options;
    private readonly int _seed;

    internal SdcaMaximumEntropyMulticlassTrainer(DigitsContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        _context = context;
        _options = options.Clone();
        _seed = options.Seed ?? context.NextSeed();
    }

    /// <summary>The defaults of <see cref="Options"/>, as in ML.NET.</summary>
    public static class Defaults
    {
        public const string LabelColumnName = "Label";
        public const string FeatureColumnName = "Features";
        public const float ConvergenceTolerance = 0.1f;
        public const bool Shuffle = true;
        public const float BiasLearningRate = 0f;
        public const bool Deterministic = true;
        public const SdcaLoss Loss = SdcaLoss.Softmax;

        /// <summary>The smallest L2 constant accepted; smaller values are raised to it (the dual needs a positive constant).</summary>
        public const float L2LowerBound = 1e-9f;

        /// <summary>Examples each thread processes between merges in the deterministic multi-thread scheme.</summary>
        public const int SyncInterval = 256;
    }

    /// <summary>Options of <see cref="SdcaMaximumEntropyMulticlassTrainer"/>; null values are chosen from the data as ML.NET does.</summary>
    public sealed class Options
    {
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

        public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

        /// <summary>An optional Single column of example weights.</summary>
        public string? ExampleWeightColumnName { get; set; }

        /// <summary>The L2 constant lambda; null: max(1e-6, 20 / (expected epochs * examples)).</summary>
        public float? L2Regularization { get; set; }

        /// <summary>
        /// The L1 soft threshold (L1 constant / L2 constant); null: 0 with the softmax loss; with the pairwise loss ML.NET's
        /// rule, 0 below 100 features, 0.25 below 1,000, 0.5 below 10,000, else 1.
        /// </summary>
        public float? L1Regularization { get; set; }

        /// <summary>The most epochs; null: 3 * max(1, 500,000 / examples), rounded to a multiple of the thread count.</summary>
        public int? MaximumNumberOfIterations { get; set; }

        /// <summary>Stop when the duality gap is at most this fraction of the primal loss (0 &lt; tolerance &lt;= 1).</summary>
        public float ConvergenceTolerance { get; set; } = Defaults.ConvergenceTolerance;

        /// <summary>Visit the examples in a new (seeded) order every epoch.</summary>
        public bool Shuffle { get; set; } = Defaults.Shuffle;

        /// <summary>
        /// Threads to train with; null: 1. More threads split each epoch (see <see cref="Deterministic"/>) but take safer,
        /// shorter steps, so they need more epochs: on MNIST two threads did not converge in 24 epochs where one thread
        /// converged in 16, so they only pay with many cores and large data.
        /// </summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>How fast the bias is moved from its regularised into its unregularised part; 0 (the default) keeps it regularised.</summary>
        public float BiasLearningRate { get; set; } = Defaults.BiasLearningRate;

        /// <summary>Check convergence every this many epochs (0 or less: only after the last); null: the thread count.</summary>
        public int? ConvergenceCheckFrequency { get; set; }

        /// <summary>
        /// True (the default): the same seed and thread count give the same weights, bit for bit. False with several threads:
        /// ML.NET's lock-free updates, a little faster and not reproducible.
        /// </summary>
        public bool Deterministic { get; set; } = Defaults.Deterministic;

        /// <summary>The seed of the example order; null: the next seed of the context.</summary>
        public int? Seed { get; set; }

        /// <summary>
        /// The loss: <see cref="SdcaLoss.Softmax"/> (the default: multinomial logistic regression's own loss, -ln softmax(s)_y)
        /// or <see cref="SdcaLoss.PairwiseLogistic"/> (ML.NET's formulation: the logistic loss of the margin to each other
        /// class). On MNIST the softmax optimum scores 92.6 %, the pairwise one about 92.0 %.
        /// </summary>
        public SdcaLoss Loss { get; set; } = Defaults.Loss;

        internal Options Clone() => (Options)MemberwiseClone();

        internal void Check()
        {
            ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
            ArgumentException.ThrowIfNullOrEmpty(FeatureColumnName, nameof(FeatureColumnName));
            if (L2Regularization is { } l2 && !(l2 >= 0 && float.IsFinite(l2)))
                throw new ArgumentOutOfRangeException(nameof(L2Regularization), l2, "L2Regularization must be a finite number >= 0 (or null to choose it from the data).");
            if (L1Regularization is { } l1 && !(l1 >= 0 && float.IsFinite(l1)))
                throw new ArgumentOutOfRangeException(nameof(L1Regularization), l1, "L1Regularization must be a finite number >= 0 (or null to choose it from the data).");
            if (MaximumNumberOfIterations is <= 0)
                throw new ArgumentOutOfRangeException(nameof(MaximumNumberOfIterations), MaximumNumberOfIterations, "MaximumNumberOfIterations must be positive (or null to choose it from the data).");
            if (!(ConvergenceTolerance > 0 && ConvergenceTolerance <= 1))
                throw new ArgumentOutOfRangeException(nameof(ConvergenceTolerance), ConvergenceTolerance, "ConvergenceTolerance must be in (0, 1].");
            if (NumberOfThreads is <= 0)
                throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, "NumberOfThreads must be positive (or null for automatic).");
            if (!(BiasLearningRate >= 0 && float.IsFinite(BiasLearningRate)))
                throw new ArgumentOutOfRangeException(nameof(BiasLearningRate), BiasLearningRate, "BiasLearningRate must be a finite number >= 0.");
            if (!Enum.IsDefined(Loss))
                throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "Loss must be PairwiseLogistic or Softmax.");
            if (Loss == SdcaLoss.Softmax && BiasLearningRate != 0)
                throw new ArgumentOutOfRangeException(nameof(BiasLearningRate), BiasLearningRate,
                    "BiasLearningRate must be 0 with the softmax loss: the unregularised bias is only available with the pairwise (ML.NET) loss.");
        }
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw new SchemaException(_options.LabelColumnName, MulticlassLabelInfo.Expected, null);
        if (label.Kind != ColumnKind.Scalar || !MulticlassLabelInfo.IsSupported(label.ItemType))
            throw new SchemaException(_options.LabelColumnName, MulticlassLabelInfo.Expected, label.DescribeType());
        if (!inputSchema.TryFindColumn(_options.FeatureColumnName, out var features))
            throw new SchemaException(_options.FeatureColumnName, "a known-size vector of Single", null);
        if (features.Kind != ColumnKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new SchemaException(_options.FeatureColumnName, "a known-size vector of Single", features.DescribeType());
        if (_options.ExampleWeightColumnName is { } weightName)
        {
            if (!inputSchema.TryFindColumn(weightName, out var weight))
                throw new SchemaException(weightName, "Single", null);
            if (weight.Kind != ColumnKind.Scalar || weight.ItemType != NumberDataViewType.Single)
                throw new SchemaException(weightName, "Single", weight.DescribeType());
        }
        int[]? classes = label.ItemType is KeyDataViewType key ? [(int)key.Count] : null;
        var keyValues = label.AnnotationKinds.Contains(AnnotationKinds.KeyValues) ? new[] { AnnotationKinds.KeyValues } : [];
        return inputSchema.With(
            SchemaShape.Column.Vector(MulticlassPredictionTransformer.ScoreColumnName, NumberDataViewType.Single, classes,
                AnnotationKinds.SlotNames, AnnotationKinds.ScoreColumnKind),
            SchemaShape.Column.Scalar(MulticlassPredictionTransformer.PredictedLabelColumnName, label.ItemType, keyValues)
                with { KeyValuesItemType = label.KeyValuesItemType });
    }

    public MaximumEntropyPredictionTransformer Fit(IDataView input) => Fit(input, null, CancellationToken.None);

    public MaximumEntropyPredictionTransformer Fit(IDataView input, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var examples = MulticlassExamples.Read(input, _options.LabelColumnName, _options.FeatureColumnName,
            _options.ExampleWeightColumnName, cancellationToken);
        if (examples.SkippedMissingLabels > 0)
            Report(progress, TimeSpan.Zero, $"skipped {examples.SkippedMissingLabels} rows whose label is missing (key 0).");

        var settings = Resolve(examples, out var chosen);
        Report(progress, TimeSpan.Zero, chosen);

        var elapsed = TimeSpan.Zero;
        var model = SdcaMaximumEntropySolver.Solve(examples.Features, examples.Labels, examples.Label.ClassCount, examples.Weights, settings,
            epoch =>
            {
                elapsed = epoch.Elapsed;
                _context.ReportProgress(new TrainingProgress
                {
                    Trainer = TrainerName,
                    Kind = TrainingProgressKind.Epoch,
                    Epoch = epoch.Epoch,
                    TotalEpochs = epoch.TotalEpochs,
                    Elapsed = epoch.Elapsed,
                    Metrics = epoch.PrimalLoss is { } primal
                        ? new Dictionary<string, double> { ["primalLoss"] = primal, ["dualLoss"] = epoch.DualLoss!.Value, ["dualityGap"] = epoch.DualityGap!.Value }
                        : new Dictionary<string, double>(),
                }, progress);
            },
            cancellationToken);

        var summary = new SdcaTrainingSummary(settings.L2Regularization, settings.L1Threshold, settings.MaximumNumberOfIterations,
            settings.ConvergenceTolerance, settings.Shuffle, settings.NumberOfThreads, settings.BiasLearningRate,
            settings.ConvergenceCheckFrequency, settings.Deterministic, settings.Seed, examples.Count, model.Epochs, model.BestEpoch,
            model.Converged, Finite(model.PrimalLoss), Finite(model.DualityGap));
        Report(progress, elapsed, string.Create(CultureInfo.InvariantCulture,
            $"{(model.Converged ? "converged" : "stopped")} after {model.Epochs} epochs; kept the weights of epoch {model.BestEpoch} (primal loss {model.PrimalLoss:G5}, duality gap {model.DualityGap:G5})."));
        return new MaximumEntropyPredictionTransformer(_options.FeatureColumnName, examples.Features.FeatureCount, examples.Label,
            model.Weights, model.Bias, summary);
    }

    /// <summary>Fills in the automatic settings from the data size as ML.NET does, and describes the choice.</summary>
    private SdcaSettings Resolve(MulticlassExamples examples, out string description)
    {
        long n = examples.Count;
        int features = examples.Features.FeatureCount;
        // ML.NET takes half the processors. Here one thread by default: the multi-thread schemes damp every step by the
        // thread count (CoCoA+'s safe adding), which costs more epochs than the threads save on a few cores.
        int threads = _options.NumberOfThreads ?? 1;
        var auto = new List<string>();

        int iterations;
        if (_options.MaximumNumberOfIterations is { } givenIterations)
        {
            iterations = givenIterations;
        }
        else
        {
            iterations = (int)Math.Max(1, 500_000 / n) * 3;
            iterations = Math.Max(2, Math.Max(1, iterations / threads) * threads);
            auto.Add($"MaximumNumberOfIterations={iterations}");
        }

        float l2;
        if (_options.L2Regularization is { } givenL2)
        {
            l2 = givenL2;
            if (l2 < Defaults.L2LowerBound)
            {
                _context.WriteLog(string.Create(CultureInfo.InvariantCulture,
                    $"{TrainerName}: L2Regularization {l2:G3} is below {Defaults.L2LowerBound:G3}, the smallest the dual formulation works with; using {Defaults.L2LowerBound:G3}."));
                l2 = Defaults.L2LowerBound;
            }
        }
        else
        {
            long expected = Math.Max(2, iterations / 2 / threads) * threads;
            l2 = Math.Max(1e-6f, 20f / (expected * n));
            auto.Add(string.Create(CultureInfo.InvariantCulture, $"L2Regularization={l2:G4}"));
        }

        float l1;
        if (_options.L1Regularization is { } givenL1)
        {
            l1 = givenL1;
        }
        else
        {
            l1 = _options.Loss == SdcaLoss.Softmax ? 0f : features < 100 ? 0f : features < 1000 ? 0.25f : features < 10000 ? 0.5f : 1f;
            auto.Add(string.Create(CultureInfo.InvariantCulture, $"L1Regularization={l1:G4}"));
        }

        int check = _options.ConvergenceCheckFrequency ?? threads;
        var mode = threads == 1 ? "" : _options.Deterministic ? " (deterministic blocks)" : " (lock-free)";
        var tuned = auto.Count == 0 ? "no automatic settings." : $"auto-tuned {string.Join(", ", auto)}.";
        description = string.Create(CultureInfo.InvariantCulture,
            $"training on {n} examples, {features} features, {examples.Label.ClassCount} classes with {threads} thread(s){mode}, {(_options.Loss == SdcaLoss.Softmax ? "softmax" : "pairwise logistic")} loss; {tuned}");
        return new SdcaSettings
        {
            Loss = _options.Loss,
            L2Regularization = l2,
            L1Threshold = l1,
            MaximumNumberOfIterations = iterations,
            ConvergenceTolerance = _options.ConvergenceTolerance,
            Shuffle = _options.Shuffle,
            NumberOfThreads = threads,
            BiasLearningRate = _options.BiasLearningRate,
            ConvergenceCheckFrequency = check,
            Deterministic = _options.Deterministic,
            Seed = _seed,
            SyncInterval = Defaults.SyncInterval,
        };
    }

    private void Report(IProgress<TrainingProgress>? progress, TimeSpan elapsed, string message)
    {
        _context.WriteLog($"{TrainerName}: {message}");
        _context.ReportProgress(new TrainingProgress { Trainer = TrainerName, Kind = TrainingProgressKind.Message, Elapsed = elapsed, Message = message }, progress);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
