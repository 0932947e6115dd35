using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Losses;
using MlNetDigits.Engine.Optim;

namespace MlNetDigits.Trainers.ImageClassification;

/// <summary>
/// Trains a convolutional network from scratch on images with the project's own engine, fully offline: a preset or
/// user-defined architecture, any engine optimizer and schedule, on-the-fly augmentation, validation with early
/// stopping, checkpoints with bit-identical resume, and temperature calibration. Created by
/// <c>context.MulticlassClassification.Trainers.ImageClassification(...)</c>. Pixels are read raw (0..255) and
/// normalised inside the model: (x / 255 - mean) / std.
/// </summary>
public sealed partial class ImageClassificationTrainer : ITrainerEstimator<ImageClassificationTransformer>
{
    /// <summary>The trainer's name in progress reports.</summary>
    public const string TrainerName = "ImageClassification";

    private readonly DigitsContext _context;
    private readonly Options _options;
    private readonly ImageClassificationPreset _preset;
    private readonly int _seed;

    internal ImageClassificationTrainer(DigitsContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        _context = context;
        _options = options.Clone();
        _preset = ImageClassificationPreset.Get(options.Preset);
        _seed = options.Seed ?? context.NextSeed();
        CheckOptions();
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw new SchemaException(_options.LabelColumnName, MulticlassLabelInfo.Expected, null);
        if (label.Kind != ColumnKind.Scalar || !MulticlassLabelInfo.IsSupported(label.ItemType))
            throw new SchemaException(_options.LabelColumnName, MulticlassLabelInfo.Expected, label.DescribeType());
        if (!inputSchema.TryFindColumn(_options.FeatureColumnName, out var image))
            throw new SchemaException(_options.FeatureColumnName, ImageExamples.ExpectedImage, null);
        if (image.Kind != ColumnKind.Vector || image.ItemType != NumberDataViewType.Single
            || !(image.AnnotationKinds.Contains(AnnotationKinds.ImageShape) || image.Dimensions.Length == 2))
            throw new SchemaException(_options.FeatureColumnName, ImageExamples.ExpectedImage,
                image.DescribeType() + (image.AnnotationKinds.Contains(AnnotationKinds.ImageShape) ? "" : " without an ImageShape annotation"));
        int[]? classes = label.ItemType is KeyDataViewType key ? [(int)key.Count] : null;
        var keyValues = label.AnnotationKinds.Contains(AnnotationKinds.KeyValues) ? new[] { AnnotationKinds.KeyValues } : [];
        return inputSchema.With(
            SchemaShape.Column.Vector(MulticlassPredictionTransformer.ScoreColumnName, NumberDataViewType.Single, classes,
                AnnotationKinds.SlotNames, AnnotationKinds.ScoreColumnKind),
            SchemaShape.Column.Scalar(MulticlassPredictionTransformer.PredictedLabelColumnName, label.ItemType, keyValues));
    }

    public ImageClassificationTransformer Fit(IDataView input) => Fit(input, null, CancellationToken.None);

    public ImageClassificationTransformer Fit(IDataView input, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var clock = Stopwatch.StartNew();
        var data = ImageExamples.Read(input, _options.LabelColumnName, _options.FeatureColumnName, null, cancellationToken);
        if (data.SkippedMissingLabels > 0)
            Report(progress, clock, $"skipped {data.SkippedMissingLabels} rows whose label is missing (key 0).");
        var (trainRows, validation) = SplitValidation(data, cancellationToken);
        var settings = Resolve(trainRows.Length);
        var (c, h, w) = data.Shape;
        int classes = data.Label.ClassCount;
        var spec = NetworkSpec.Parse(settings.Layers, c, h, w, classes);
        var kernels = Kernels.Create(_options.Backend ?? Kernels.Default.Kind, settings.NumberOfThreads);
        try
        {
            return Train(data, trainRows, validation, settings, spec, kernels, progress, cancellationToken, clock);
        }
        finally
        {
            (kernels as IDisposable)?.Dispose();
        }
    }

    private ImageClassificationTransformer Train(ImageExamples data, int[] trainRows, ValidationImages? validation, ImageClassificationSettings settings,
        NetworkSpec spec, IKernels kernels, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, Stopwatch clock)
    {
        int classes = data.Label.ClassCount;
        var session = new TrainingSession(settings, spec, kernels, data, trainRows, validation, classes);

        Report(progress, clock, string.Create(CultureInfo.InvariantCulture,
            $"preset '{settings.Preset}': {spec} ({spec.MultiplyAccumulates() / 1e6:F1} M multiply-adds per image); {trainRows.Length} training and {validation?.Labels.Length ?? 0} validation images, {classes} classes; " +
            $"{settings.Epochs} epoch(s) of {session.BatchesPerEpoch} batches of {settings.BatchSize}; {settings.Optimizer} lr {settings.LearningRate:G4}, schedule {settings.LearningRateSchedule}; " +
            $"augmentation {(settings.Augmentation is null ? "off" : "on")}; {kernels.Description}."));

        if (_options.ResumeFrom is { } resume)
        {
            var file = TrainingCheckpoint.Resolve(resume);
            session.Restore(TrainingCheckpoint.Load(file), file);
            Report(progress, clock, $"resumed from '{file}' after epoch {session.Epoch}.");
        }
        var checkpointFile = _options.CheckpointDirectory is { } dir ? Path.Combine(dir, TrainingCheckpoint.FileName) : null;

        while (session.Epoch < settings.Epochs && !session.Stopped)
        {
            session.RunEpoch(cancellationToken, (batch, metrics, eta) => _context.ReportProgress(new TrainingProgress
            {
                Trainer = TrainerName,
                Kind = TrainingProgressKind.Batch,
                Epoch = session.Epoch + 1,
                TotalEpochs = settings.Epochs,
                Batch = batch,
                TotalBatches = session.BatchesPerEpoch,
                Elapsed = clock.Elapsed,
                EstimatedRemaining = eta,
                Metrics = metrics,
            }, progress), _options.ProgressInterval);
            if (checkpointFile is not null)
                session.Checkpoint().Save(checkpointFile);
            var last = session.History[^1];
            var epochMetrics = new Dictionary<string, double>
            {
                ["loss"] = last.TrainingLoss,
                ["accuracy"] = last.TrainingAccuracy,
                ["learningRate"] = last.LearningRate,
                ["imagesPerSecond"] = trainRows.Length / Math.Max(1e-9, last.Seconds),
            };
            if (last.ValidationLoss is { } vl)
            {
                epochMetrics["validationLoss"] = vl;
                epochMetrics["validationAccuracy"] = last.ValidationAccuracy!.Value;
            }
            _context.ReportProgress(new TrainingProgress
            {
                Trainer = TrainerName,
                Kind = TrainingProgressKind.Epoch,
                Epoch = session.Epoch,
                TotalEpochs = settings.Epochs,
                Elapsed = clock.Elapsed,
                EstimatedRemaining = TimeSpan.FromSeconds(last.Seconds * (settings.Epochs - session.Epoch)),
                Metrics = epochMetrics,
                Message = session.Stopped ? $"early stopping: no improvement for {settings.EarlyStopping!.Patience} epoch(s); keeping epoch {session.BestEpoch}." : null,
            }, progress);
        }
        session.RestoreBest();

        CalibrationResult? calibration = null;
        if (settings.Calibrate && validation is not null)
        {
            calibration = session.Calibrate();
            Report(progress, clock, string.Create(CultureInfo.InvariantCulture,
                $"temperature {calibration.Temperature:F3} fitted on {calibration.ValidationCount} validation images: ECE {calibration.ExpectedCalibrationErrorBefore:P2} -> {calibration.ExpectedCalibrationErrorAfter:P2}, NLL {calibration.NegativeLogLikelihoodBefore:F4} -> {calibration.NegativeLogLikelihoodAfter:F4}."));
        }
        return new ImageClassificationTransformer(_options.FeatureColumnName, data.Label, spec, session.Network.StateDict().ToDictionary(),
            settings.Mean, settings.StandardDeviation, settings.PixelScale, calibration?.Temperature ?? 1.0, [.. session.History], calibration, settings);
    }

    /// <summary>The training rows and the validation images (held out by a seeded draw, or the explicit set).</summary>
    private (int[] TrainRows, ValidationImages? Validation) SplitValidation(ImageExamples data, CancellationToken cancellationToken)
    {
        int n = data.Count;
        if (_options.ValidationSet is { } set)
        {
            var v = ImageExamples.Read(set, _options.LabelColumnName, _options.FeatureColumnName, data.Label, cancellationToken);
            if (v.Shape != data.Shape)
                throw new SchemaException(_options.FeatureColumnName, $"images of shape {data.Shape} (as in the training data)", $"{v.Shape}", "the validation set");
            return ([.. Enumerable.Range(0, n)], new ValidationImages(v.Pixels, v.Labels));
        }
        int held = (int)Math.Round(n * _options.ValidationFraction);
        if (held == 0)
            return ([.. Enumerable.Range(0, n)], null);
        if (held >= n)
            throw new ArgumentException($"ValidationFraction {_options.ValidationFraction} of {n} images leaves nothing to train on; lower it.");
        var order = Enumerable.Range(0, n).ToArray();
        new Rng(ImageAugmenter.SeedFor(_seed, -1, 0)).Shuffle(order.AsSpan());
        var validationRows = order[..held];
        Array.Sort(validationRows);
        var trainRows = order[held..];
        Array.Sort(trainRows); // the training order stays the file order unless shuffling
        int size = data.ImageSize;
        var pixels = new float[held * size];
        var labels = new int[held];
        for (int i = 0; i < held; i++)
        {
            data.Pixels.AsSpan(validationRows[i] * size, size).CopyTo(pixels.AsSpan(i * size));
            labels[i] = data.Labels[validationRows[i]];
        }
        return (trainRows, new ValidationImages(pixels, labels));
    }

    /// <summary>The options with the preset's values filled in, checked against the data size.</summary>
    private ImageClassificationSettings Resolve(int trainingCount)
    {
        var o = _options;
        var p = _preset;
        bool presetOptimizer = o.Optimizer is null;
        var settings = new ImageClassificationSettings
        {
            Preset = p.Name,
            Layers = o.Layers is null ? p.Layers : [.. o.Layers],
            Epochs = o.Epochs ?? p.Epochs,
            BatchSize = o.BatchSize ?? p.BatchSize,
            Optimizer = OptimizerFactory.NameOf(OptimizerFactory.ParseKind(o.Optimizer ?? p.Optimizer)),
            LearningRate = o.LearningRate ?? (presetOptimizer ? p.LearningRate : DefaultLearningRate(o.Optimizer!)),
            Momentum = o.Momentum ?? (presetOptimizer ? p.Momentum : null),
            Nesterov = o.Nesterov,
            Beta1 = o.Beta1 ?? (presetOptimizer ? p.Beta1 : null),
            Beta2 = o.Beta2 ?? (presetOptimizer ? p.Beta2 : null),
            Epsilon = o.Epsilon,
            WeightDecay = o.WeightDecay ?? (presetOptimizer ? p.WeightDecay : null),
            GradientClipNorm = o.GradientClipNorm,
            LearningRateSchedule = LearningRateSchedulerFactory.NameOf(LearningRateSchedulerFactory.ParseKind(o.LearningRateSchedule ?? p.LearningRateSchedule)),
            ScheduleGamma = o.ScheduleGamma ?? p.ScheduleGamma,
            ScheduleStepSize = o.ScheduleStepSize ?? p.ScheduleStepSize,
            LabelSmoothing = o.LabelSmoothing ?? p.LabelSmoothing,
            Shuffle = o.Shuffle ?? p.Shuffle,
            Augmentation = o.AugmentationSet ? o.Augmentation : p.Augmentation,
            ValidationFraction = o.ValidationSet is null ? o.ValidationFraction : 0,
            ExplicitValidationSet = o.ValidationSet is not null,
            EarlyStopping = o.EarlyStopping,
            Mean = [.. o.Mean],
            StandardDeviation = [.. o.StandardDeviation],
            PixelScale = o.PixelScale,
            Calibrate = o.Calibrate,
            Seed = _seed,
            NumberOfThreads = o.NumberOfThreads ?? Environment.ProcessorCount,
        };
        if (settings.BatchSize > trainingCount)
            throw new ArgumentException($"BatchSize {settings.BatchSize} is larger than the {trainingCount} training images; use a batch size of at most {trainingCount} or more data.");
        var schedule = LearningRateSchedulerFactory.ParseKind(settings.LearningRateSchedule);
        if (schedule == LearningRateSchedulerKind.Exponential && settings.ScheduleGamma is null)
            throw new ArgumentException("The exponential schedule needs ScheduleGamma (the per-epoch factor, e.g. 0.9).");
        if (schedule == LearningRateSchedulerKind.Step && settings.ScheduleStepSize is null)
            settings = settings with { ScheduleStepSize = 1 };
        return settings;
    }

    private static double DefaultLearningRate(string optimizer) => OptimizerFactory.ParseKind(optimizer) switch
    {
        OptimizerKind.Sgd => 1e-2,
        OptimizerKind.NAdam => 2e-3,
        OptimizerKind.Adadelta => 1.0,
        _ => 1e-3,
    };

    /// <summary>Checks the options that do not depend on the data, so bad options fail before any data is read.</summary>
    private void CheckOptions()
    {
        var o = _options;
        ArgumentException.ThrowIfNullOrEmpty(o.LabelColumnName, nameof(Options.LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(o.FeatureColumnName, nameof(Options.FeatureColumnName));
        if (o.Epochs is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Options.Epochs), o.Epochs, "Epochs must be at least 1.");
        if (o.BatchSize is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Options.BatchSize), o.BatchSize, "BatchSize must be at least 1.");
        if (o.Optimizer is not null)
            OptimizerFactory.ParseKind(o.Optimizer);
        if (o.LearningRateSchedule is not null)
            LearningRateSchedulerFactory.ParseKind(o.LearningRateSchedule);
        if (o.LearningRate is { } lr && !(lr > 0 && double.IsFinite(lr)))
            throw new ArgumentOutOfRangeException(nameof(Options.LearningRate), lr, "LearningRate must be a positive finite number.");
        if (o.LabelSmoothing is { } ls && !(ls >= 0 && ls < 1))
            throw new ArgumentOutOfRangeException(nameof(Options.LabelSmoothing), ls, "LabelSmoothing must be in [0, 1).");
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(Options.ValidationFraction), o.ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (o.NumberOfThreads is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Options.NumberOfThreads), o.NumberOfThreads, "NumberOfThreads must be positive (or null for all cores).");
        if (o.Backend is { } backend && !Enum.IsDefined(backend))
            throw new ArgumentOutOfRangeException(nameof(Options.Backend), backend, "Backend must be Auto, Managed or OpenBlas (or null for Kernels.Default's).");
        if (o.ProgressInterval < 0)
            throw new ArgumentOutOfRangeException(nameof(Options.ProgressInterval), o.ProgressInterval, "ProgressInterval must be >= 0 (0: per epoch only).");
        if (o.ScheduleStepSize is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Options.ScheduleStepSize), o.ScheduleStepSize, "ScheduleStepSize must be at least 1 epoch.");
        if (o.GradientClipNorm is { } clip && !(clip > 0))
            throw new ArgumentOutOfRangeException(nameof(Options.GradientClipNorm), clip, "GradientClipNorm must be positive (or null for no clipping).");
        if (!(o.PixelScale > 0 && float.IsFinite(o.PixelScale)))
            throw new ArgumentOutOfRangeException(nameof(Options.PixelScale), o.PixelScale, "PixelScale must be a positive finite number.");
        if (o.Mean is null || o.StandardDeviation is null || o.Mean.Length == 0 || o.Mean.Length != o.StandardDeviation.Length
            || o.StandardDeviation.Any(s => !(s > 0)))
            throw new ArgumentException("Mean and StandardDeviation need the same number of values (one, or one per channel), with positive deviations.");
        o.Augmentation?.Check();
        o.EarlyStopping?.Check();
        bool hasValidation = o.ValidationSet is not null || o.ValidationFraction > 0;
        if (o.EarlyStopping is not null && !hasValidation)
            throw new ArgumentException("EarlyStopping needs validation images: set ValidationFraction > 0 or a ValidationSet.");
        var layers = o.Layers ?? _preset.Layers;
        NetworkSpec.Parse(layers, 1, 64, 64); // the grammar; shapes are checked against the real images in Fit
    }

    private void Report(IProgress<TrainingProgress>? progress, Stopwatch clock, string message)
    {
        _context.WriteLog($"{TrainerName}: {message}");
        _context.ReportProgress(new TrainingProgress { Trainer = TrainerName, Kind = TrainingProgressKind.Message, Elapsed = clock.Elapsed, Message = message }, progress);
    }

    /// <summary>Validation images (N, C, H, W) raw, with their classes.</summary>
    private sealed record ValidationImages(float[] Pixels, int[] Labels);

    /// <summary>The mutable state of one training run: network, optimizer, schedule, history, early stopping.</summary>
    private sealed class TrainingSession
    {
        private readonly ImageClassificationSettings _s;
        private readonly ImageExamples _data;
        private readonly int[] _trainRows;
        private readonly ValidationImages? _validation;
        private readonly int _classes, _imageSize, _plane, _channels;
        private readonly Rng _rng;
        private readonly Optimizer _optimizer;
        private readonly LearningRateScheduler _scheduler;
        private readonly bool _schedulePerBatch;
        private readonly SoftmaxCrossEntropy _loss;
        private readonly ImageAugmenter? _augmenter;
        private readonly float[] _scale, _shift;
        private readonly List<ImageClassificationEpoch> _history = [];
        private Dictionary<string, Tensor>? _bestWeights;
        private double? _bestMetric;
        private float[]? _augmented;

        public TrainingSession(ImageClassificationSettings settings, NetworkSpec spec, IKernels kernels, ImageExamples data, int[] trainRows,
            ValidationImages? validation, int classes)
        {
            _s = settings;
            _data = data;
            _trainRows = trainRows;
            _validation = validation;
            _classes = classes;
            _imageSize = data.ImageSize;
            _channels = data.Shape.C;
            _plane = data.Shape.H * data.Shape.W;
            _rng = new Rng((ulong)(uint)settings.Seed);
            Network = spec.Build(_rng);
            Network.Kernels = kernels;
            _optimizer = OptimizerFactory.Create(settings.Optimizer, Network.Parameters, new OptimizerOptions
            {
                LearningRate = settings.LearningRate,
                Momentum = settings.Momentum,
                Nesterov = settings.Nesterov,
                Beta1 = settings.Beta1,
                Beta2 = settings.Beta2,
                Epsilon = settings.Epsilon,
                WeightDecay = settings.WeightDecay,
            });
            int batches = trainRows.Length / settings.BatchSize + (trainRows.Length % settings.BatchSize > 1 ? 1 : 0);
            BatchesPerEpoch = Math.Max(1, batches);
            var kind = LearningRateSchedulerFactory.ParseKind(settings.LearningRateSchedule);
            _schedulePerBatch = kind is LearningRateSchedulerKind.OneCycle or LearningRateSchedulerKind.Cosine;
            int totalSteps = BatchesPerEpoch * settings.Epochs;
            _scheduler = LearningRateSchedulerFactory.Create(kind, _optimizer, new LearningRateSchedulerOptions
            {
                StepSize = settings.ScheduleStepSize,
                Gamma = settings.ScheduleGamma,
                TMax = totalSteps,
                MaxLearningRate = settings.LearningRate,
                TotalSteps = totalSteps,
                CycleMomentum = false,
            });
            _loss = new SoftmaxCrossEntropy(settings.LabelSmoothing, kernels);
            if (settings.Augmentation is { } augmentation)
                _augmenter = new ImageAugmenter(augmentation, data.Shape.C, data.Shape.H, data.Shape.W);
            if (settings.Mean.Length != 1 && settings.Mean.Length != _channels)
                throw new ArgumentException($"Mean has {settings.Mean.Length} values but the images have {_channels} channels; give one value or one per channel.");
            (_scale, _shift) = (new float[_channels], new float[_channels]);
            for (int c = 0; c < _channels; c++)
            {
                float mean = settings.Mean.Length == 1 ? settings.Mean[0] : settings.Mean[c];
                float std = settings.StandardDeviation.Length == 1 ? settings.StandardDeviation[0] : settings.StandardDeviation[c];
                _scale[c] = 1f / (settings.PixelScale * std);
                _shift[c] = -mean / std;
            }
        }

        public Sequential Network { get; }

        public int BatchesPerEpoch { get; }

        /// <summary>Epochs completed.</summary>
        public int Epoch { get; private set; }

        public bool Stopped { get; private set; }

        public int BestEpoch { get; private set; }

        public IReadOnlyList<ImageClassificationEpoch> History => _history;

        /// <summary>Trains one epoch; reports every <paramref name="interval"/> batches; validates and updates early stopping.</summary>
        public void RunEpoch(CancellationToken cancellationToken, Action<int, IReadOnlyDictionary<string, double>, TimeSpan> report, int interval)
        {
            var clock = Stopwatch.StartNew();
            int epoch = Epoch + 1, n = _trainRows.Length, batchSize = _s.BatchSize;
            var order = (int[])_trainRows.Clone();
            if (_s.Shuffle)
                new Rng(ImageAugmenter.SeedFor(_s.Seed, epoch, -1)).Shuffle(order.AsSpan());
            Network.Train();
            var full = new Tensor(batchSize, _channels, _data.Shape.H, _data.Shape.W);
            Tensor? partial = null;
            var targets = new int[batchSize];
            double lossSum = 0, intervalLoss = 0;
            long correct = 0, seen = 0, intervalCorrect = 0, intervalSeen = 0;
            for (int b = 0; b < BatchesPerEpoch; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = b * batchSize, count = Math.Min(batchSize, n - start);
                var x = count == batchSize ? full : (partial ??= new Tensor(count, _channels, _data.Shape.H, _data.Shape.W));
                FillBatch(order, start, count, epoch, x.Data);
                for (int i = 0; i < count; i++)
                    targets[i] = _data.Labels[order[start + i]];
                var logits = Network.Forward(x);
                float loss = _loss.Forward(logits, targets.AsSpan(0, count));
                if (!float.IsFinite(loss))
                    throw new InvalidOperationException($"The training loss became {loss} in epoch {epoch}, batch {b + 1}: the learning rate {_optimizer.LearningRate:G3} is probably too high. Lower LearningRate or set GradientClipNorm.");
                _optimizer.ZeroGrad();
                Network.Backward(_loss.Backward());
                if (_s.GradientClipNorm is { } clip)
                    GradientClipping.ClipGradNorm(Network.Parameters, (float)clip);
                _optimizer.Step();
                if (_schedulePerBatch)
                    _scheduler.Step();
                int hits = CountCorrect(_loss.Probabilities.Data, targets, count);
                lossSum += (double)loss * count;
                correct += hits;
                seen += count;
                intervalLoss += (double)loss * count;
                intervalCorrect += hits;
                intervalSeen += count;
                if (interval > 0 && ((b + 1) % interval == 0 || b + 1 == BatchesPerEpoch))
                {
                    double rate = seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    long remainingImages = (long)(n - seen) + (long)n * (_s.Epochs - epoch);
                    report(b + 1, new Dictionary<string, double>
                    {
                        ["loss"] = intervalLoss / intervalSeen,
                        ["accuracy"] = (double)intervalCorrect / intervalSeen,
                        ["learningRate"] = _optimizer.LearningRate,
                        ["imagesPerSecond"] = rate,
                    }, TimeSpan.FromSeconds(remainingImages / Math.Max(1e-9, rate)));
                    (intervalLoss, intervalCorrect, intervalSeen) = (0, 0, 0);
                }
            }
            if (!_schedulePerBatch)
                _scheduler.Step();
            Epoch = epoch;

            double? validationLoss = null, validationAccuracy = null;
            if (_validation is not null)
            {
                var logits = ValidationLogits();
                validationLoss = TemperatureScaling.NegativeLogLikelihood(logits, _validation.Labels, _classes, 1);
                validationAccuracy = (double)CountArgMax(logits, _validation.Labels) / _validation.Labels.Length;
            }
            _history.Add(new ImageClassificationEpoch(epoch, lossSum / seen, (double)correct / seen, validationLoss, validationAccuracy,
                _optimizer.LearningRate, clock.Elapsed.TotalSeconds));
            if (_s.EarlyStopping is { } early)
            {
                double value = early.Monitor == EarlyStoppingMetric.ValidationLoss ? validationLoss!.Value : validationAccuracy!.Value;
                if (early.Improves(value, _bestMetric))
                {
                    (_bestMetric, BestEpoch) = (value, epoch);
                    _bestWeights = Network.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
                }
                else if (epoch - BestEpoch >= early.Patience)
                {
                    Stopped = true;
                }
            }
        }

        /// <summary>Copies (and augments) the images order[start .. start + count) into x (count, C, H, W), normalised.</summary>
        private void FillBatch(int[] order, int start, int count, int epoch, float[] x)
        {
            int size = _imageSize;
            if (_augmenter is not null)
            {
                _augmented ??= new float[_s.BatchSize * size];
                _augmenter.Apply(_data.Pixels, order, start, count, _augmented, _s.Seed, epoch, _s.NumberOfThreads);
                ImageClassificationTransformer.NormalizeInto(_augmented.AsSpan(0, count * size), x, _channels, _plane, _scale, _shift);
                return;
            }
            for (int i = 0; i < count; i++)
                ImageClassificationTransformer.NormalizeInto(_data.Pixels.AsSpan(order[start + i] * size, size), x.AsSpan(i * size, size),
                    _channels, _plane, _scale, _shift);
        }

        /// <summary>The logits (N, K) of the validation images in evaluation mode (then back to training mode).</summary>
        private float[] ValidationLogits()
        {
            var v = _validation!;
            int n = v.Labels.Length, batch = Math.Min(n, Defaults.EvaluationBatchSize);
            var logits = new float[n * _classes];
            Network.Eval();
            var input = new Tensor(batch, _channels, _data.Shape.H, _data.Shape.W);
            for (int start = 0; start < n; start += batch)
            {
                int count = Math.Min(batch, n - start);
                var x = count == batch ? input : new Tensor(count, _channels, _data.Shape.H, _data.Shape.W);
                ImageClassificationTransformer.NormalizeInto(v.Pixels.AsSpan(start * _imageSize, count * _imageSize), x.Data, _channels, _plane, _scale, _shift);
                Network.Forward(x).Data.AsSpan(0, count * _classes).CopyTo(logits.AsSpan(start * _classes));
            }
            Network.Train();
            return logits;
        }

        private int CountCorrect(float[] probabilities, int[] targets, int count)
        {
            int hits = 0;
            for (int i = 0; i < count; i++)
                if (MulticlassPredictionTransformer.ArgMax(probabilities.AsSpan(i * _classes, _classes)) == targets[i])
                    hits++;
            return hits;
        }

        private int CountArgMax(float[] logits, int[] labels)
        {
            int hits = 0;
            for (int i = 0; i < labels.Length; i++)
                if (MulticlassPredictionTransformer.ArgMax(logits.AsSpan(i * _classes, _classes)) == labels[i])
                    hits++;
            return hits;
        }

        /// <summary>Puts back the best epoch's weights when early stopping kept them.</summary>
        public void RestoreBest()
        {
            if (_bestWeights is not null && BestEpoch != Epoch)
                Network.LoadStateDict(_bestWeights);
        }

        /// <summary>Fits the temperature on the validation images and measures ECE and NLL before and after.</summary>
        public CalibrationResult Calibrate()
        {
            var logits = ValidationLogits();
            var labels = _validation!.Labels;
            double t = TemperatureScaling.Fit(logits, labels, _classes);
            return new CalibrationResult(t, labels.Length,
                TemperatureScaling.ExpectedCalibrationError(logits, labels, _classes, 1), TemperatureScaling.ExpectedCalibrationError(logits, labels, _classes, t),
                TemperatureScaling.NegativeLogLikelihood(logits, labels, _classes, 1), TemperatureScaling.NegativeLogLikelihood(logits, labels, _classes, t));
        }

        /// <summary>The state at the end of the current epoch.</summary>
        public TrainingCheckpoint Checkpoint()
        {
            using var optimizerState = new MemoryStream();
            _optimizer.SaveState(optimizerState);
            return new TrainingCheckpoint
            {
                Settings = _s,
                Epoch = Epoch,
                SchedulerStep = _scheduler.LastStep,
                RandomState = _rng.GetState(),
                History = [.. _history],
                BestMetric = _bestMetric,
                BestEpoch = BestEpoch,
                Weights = Network.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone()),
                BestWeights = _bestWeights,
                OptimizerState = optimizerState.ToArray(),
            };
        }

        /// <summary>Continues from <paramref name="checkpoint"/>; its settings must equal this run's.</summary>
        public void Restore(TrainingCheckpoint checkpoint, string file)
        {
            var differences = Differences(checkpoint.Settings, _s);
            if (differences.Count > 0)
                throw new ArgumentException($"The checkpoint '{file}' was written by a run with other settings ({string.Join("; ", differences)}); " +
                    "resume with the same options (seed and thread count included).");
            if (checkpoint.Epoch > _s.Epochs)
                throw new ArgumentException($"The checkpoint '{file}' is after epoch {checkpoint.Epoch}, beyond the {_s.Epochs} epochs of this run.");
            Network.LoadStateDict(checkpoint.Weights);
            using (var state = new MemoryStream(checkpoint.OptimizerState))
                _optimizer.LoadState(state);
            _scheduler.Seek(checkpoint.SchedulerStep);
            _rng.SetState(checkpoint.RandomState);
            _history.Clear();
            _history.AddRange(checkpoint.History);
            Epoch = checkpoint.Epoch;
            _bestMetric = checkpoint.BestMetric;
            BestEpoch = checkpoint.BestEpoch;
            _bestWeights = checkpoint.BestWeights;
            if (_s.EarlyStopping is { } early && BestEpoch > 0 && Epoch - BestEpoch >= early.Patience)
                Stopped = true;
        }

        private static List<string> Differences(ImageClassificationSettings saved, ImageClassificationSettings current)
        {
            var a = JsonSerializer.SerializeToElement(saved);
            var b = JsonSerializer.SerializeToElement(current);
            var list = new List<string>();
            foreach (var property in b.EnumerateObject())
            {
                var before = a.TryGetProperty(property.Name, out var value) ? value.GetRawText() : "(none)";
                if (before != property.Value.GetRawText())
                    list.Add($"{property.Name}: checkpoint {before}, now {property.Value.GetRawText()}");
            }
            return list;
        }
    }
}
