using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Onnx;
using MlNetDigits.Engine.Optim;

namespace MlNetDigits;

/// <summary>
/// Trains a convolutional network from scratch on images with the project's own engine, fully offline: a preset or
/// user-defined architecture, any engine optimizer and schedule, on-the-fly augmentation, validation with early
/// stopping, checkpoints with bit-identical resume, and temperature calibration. Created by
/// <c>mlContext.MulticlassClassification.Trainers.ImageClassification(...)</c>. Pixels are read raw (0..255) and
/// normalised inside the model: (x / 255 − mean) / std. The fitted model is exported to ONNX and wrapped in ML.NET's
/// OnnxTransformer (see <see cref="ImageClassificationTransformer"/>).
/// </summary>
public sealed partial class ImageClassificationTrainer : IEstimator<ImageClassificationTransformer>
{
    /// <summary>The trainer's name in progress reports and in MLContext.Log.</summary>
    public const string TrainerName = "ImageClassification";

    private readonly IHost _host;
    private readonly Options _options;
    private readonly ImageClassificationPreset _preset;
    private readonly int _seed;
    private IChannel? _channel; // MLContext.Log, open while Fit runs

    /// <summary>
    /// A trainer for <paramref name="environment"/> (an MLContext): its log goes to MLContext.Log and, when
    /// <see cref="Options.Seed"/> is null, its seed comes from the context's seeded source. The catalog extension
    /// <c>mlContext.MulticlassClassification.Trainers.ImageClassification(options)</c> calls this.
    /// </summary>
    public ImageClassificationTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _host = environment.Register(TrainerName);
        _options = options.Clone();
        _preset = ImageClassificationPreset.Get(options.Preset);
        _seed = options.Seed ?? _host.Rand.Next();
        CheckOptions();
    }

    /// <summary>
    /// The input columns plus "Score" (a vector of K Singles) and "PredictedLabel" (the label's key type), exactly what
    /// ML.NET's own multiclass trainers add: checked, then taken from ML.NET's naive Bayes estimator over the same columns
    /// (a trainer outside ML.NET cannot make SchemaShape columns itself; the predicted label is looked up by naive Bayes
    /// at prediction time too, see <see cref="ArgMaxKeyLookup"/>); and "OodScore" (a vector of Singles, taken from a
    /// Concatenate of the image column) when the options ask for it and give validation images.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var label = inputSchema.Where(c => c.Name == _options.LabelColumnName).ToArray();
        if (label.Length == 0)
            throw ImageExamples.SchemaError(_options.LabelColumnName, ImageExamples.ExpectedLabel, null, "the input");
        if (label[0].Kind != SchemaShape.Column.VectorKind.Scalar || !label[0].IsKey || label[0].ItemType.RawType != typeof(uint))
            throw ImageExamples.SchemaError(_options.LabelColumnName, ImageExamples.ExpectedLabel, Describe(label[0]), "the input");
        var image = inputSchema.Where(c => c.Name == _options.FeatureColumnName).ToArray();
        if (image.Length == 0)
            throw ImageExamples.SchemaError(_options.FeatureColumnName, ImageExamples.ExpectedImage, null, "the input");
        if (image[0].Kind != SchemaShape.Column.VectorKind.Vector || image[0].ItemType != NumberDataViewType.Single)
            throw ImageExamples.SchemaError(_options.FeatureColumnName, ImageExamples.ExpectedImage, Describe(image[0]), "the input");
        var ml = new MLContext();
        var output = ml.MulticlassClassification.Trainers.NaiveBayes(_options.LabelColumnName, _options.FeatureColumnName).GetOutputSchema(inputSchema);
        bool withOod = _options.OodFalsePositiveRate > 0 && (_options.ValidationSet is not null || _options.ValidationSetFraction > 0);
        return withOod ? ml.Transforms.Concatenate(ColumnNames.OodScore, _options.FeatureColumnName).GetOutputSchema(output) : output;
    }

    private static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => column.IsKey ? $"Key<{column.ItemType}>" : $"{column.ItemType}",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"VarVector<{column.ItemType}>",
    };

    /// <summary>Reads the images, trains the network, exports it to ONNX and returns the ML.NET model that scores with it.</summary>
    public ImageClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        var cancellation = _options.CancellationToken;
        using var channel = _host.Start(TrainerName);
        _channel = channel;
        ImageExamples.CheckSchema(input.Schema, _options.LabelColumnName, _options.FeatureColumnName);
        var data = ImageExamples.Read(input, _options.LabelColumnName, _options.FeatureColumnName, null, cancellation);
        if (data.SkippedMissingLabels > 0)
            Report(clock, $"skipped {data.SkippedMissingLabels} rows whose label is missing (key 0).");
        var (trainRows, validation) = SplitValidation(data, cancellation);
        var settings = Resolve(trainRows.Length);
        var (c, h, w) = data.Shape;
        int classes = data.ClassCount;
        var spec = NetworkSpec.Parse(settings.Layers, c, h, w, classes);
        Dictionary<string, Tensor>? initialWeights = null;
        if (_options.InitialModel is { } initial)
            (spec, initialWeights) = StartingPoint(initial, data);
        var kernels = Kernels.Create(_options.Backend ?? Kernels.DefaultKind, settings.NumberOfThreads);
        TrainingResult result;
        OodFit? ood = null;
        try
        {
            var loop = new TrainingLoop(settings, spec, kernels, data, trainRows, validation, p => Report(p), _options.ProgressInterval, cancellation, clock, initialWeights);
            Report(clock, string.Create(CultureInfo.InvariantCulture,
                $"preset '{settings.Preset}': {spec} ({spec.MultiplyAccumulates() / 1e6:F1} M multiply-adds per image); {trainRows.Length} training and {validation?.Labels.Length ?? 0} validation images, {classes} classes; " +
                $"{settings.Epochs} epoch(s) of {loop.BatchesPerEpoch} batches of {settings.BatchSize}; {settings.Optimizer} lr {settings.LearningRate:G4}, schedule {settings.LearningRateSchedule}; " +
                $"augmentation {(settings.Augmentation is null ? "off" : "on")}; {kernels.Description}."));
            var checkpointFile = _options.WorkspacePath is { } dir ? Path.Combine(dir, TrainingCheckpoint.FileName) : null;
            result = loop.Run(_options.ResumeFrom, checkpointFile);
            // Trained on a device: bring the weights back to host memory before the device is released.
            if (kernels.Device is not null)
                result.Network.Kernels = Kernels.Host;
            if (_options.OodFalsePositiveRate > 0)
                ood = FitOod(result, loop, clock);
        }
        finally
        {
            (kernels as IDisposable)?.Dispose();
        }

        var info = new CnnModelInfo
        {
            InputColumnName = _options.FeatureColumnName,
            InputShape = [c, h, w],
            Layers = spec.Layers,
            Mean = [.. settings.Mean],
            StandardDeviation = [.. settings.StandardDeviation],
            PixelScale = settings.PixelScale,
            Temperature = result.Calibration?.Temperature ?? 1.0,
            ClassNames = ClassNames.Of(data.LabelColumn),
            Settings = settings,
            History = result.History,
            Calibration = result.Calibration,
            Ood = ood?.Calibration,
        };
        var onnx = CnnOnnxExport.Export(result.Network, info, ood?.Head);
        var chain = OnnxScoringChain.Build(new MLContext(_seed), onnx, _options.FeatureColumnName, data.LabelColumn, input, _options.GpuDeviceId, _options.FallbackToCpu);
        Report(clock, string.Create(CultureInfo.InvariantCulture, $"trained in {clock.Elapsed.TotalSeconds:F1} s; exported to ONNX ({onnx.Length / 1024.0:F0} KB)."));
        return new ImageClassificationTransformer(chain, onnx, info, data.LabelColumn);
    }

    /// <summary>
    /// The network and weights of the model to fine-tune: its layers (head included) over this data's images, checked
    /// against the data's shape and classes.
    /// </summary>
    private static (NetworkSpec Spec, Dictionary<string, Tensor> Weights) StartingPoint(ImageClassificationTransformer initial, ImageExamples data)
    {
        var info = initial.Info;
        if (info.IsEnsemble)
            throw new ArgumentException($"InitialModel is an ensemble of {info.Members!.Count} networks; fine-tune one network at a time.");
        var (c, h, w) = data.Shape;
        if (!info.InputShape.SequenceEqual([c, h, w]))
            throw new ArgumentException($"InitialModel reads {string.Join("x", info.InputShape)} images; the training data holds {c}x{h}x{w}.");
        var classes = ClassNames.Of(data.LabelColumn);
        if (!classes.SequenceEqual(info.ClassNames))
            throw new ArgumentException($"InitialModel predicts the classes [{string.Join(", ", info.ClassNames)}]; the training label has [{string.Join(", ", classes)}]. Map the label the same way (MapValueToKey by value for digits).");
        var spec = NetworkSpec.Parse(info.Layers, c, h, w);
        var network = spec.Build(new Rng(0));
        return (spec, CnnNetwork.StateDictionary(network, initial.GetOnnxModel()));
    }

    /// <summary>
    /// The out-of-distribution statistics and threshold of the trained network (see <see cref="OodCalibration"/>), or null
    /// (reported) when there are no validation images to choose the threshold on or the last Dense layer reads more than
    /// <see cref="Defaults.MaximumOodFeatures"/> features.
    /// </summary>
    private OodFit? FitOod(TrainingResult result, TrainingLoop loop, Stopwatch clock)
    {
        int features = MlNetDigits.Engine.Ood.PenultimateFeatures.Count(result.Network);
        if (result.ValidationLogits is null)
        {
            Report(clock, "no validation images: the model gets no out-of-distribution score (OodScore); set ValidationSetFraction > 0 or a ValidationSet to have one.");
            return null;
        }
        if (features > Defaults.MaximumOodFeatures)
        {
            Report(clock, string.Create(CultureInfo.InvariantCulture,
                $"the last Dense layer reads {features} features, more than {Defaults.MaximumOodFeatures}: the model gets no out-of-distribution score (OodScore); put a smaller dense layer before the classifier to have one."));
            return null;
        }
        var fit = loop.FitOod(_options.OodFalsePositiveRate, _options.OodTrainingImages)!;
        var c = fit.Calibration;
        Report(clock, string.Create(CultureInfo.InvariantCulture,
            $"out-of-distribution score: energy or Mahalanobis distance of {c.FeatureCount} features (fitted on {c.TrainingCount} training images); the threshold flags {c.ValidationFlaggedShare:P2} of {c.ValidationCount} validation images (target {c.TargetRate:P2})."));
        return fit;
    }

    /// <summary>The training rows and the validation images (held out by a seeded draw, or the explicit set).</summary>
    private (int[] TrainRows, ValidationImages? Validation) SplitValidation(ImageExamples data, CancellationToken cancellationToken)
    {
        int n = data.Count;
        if (_options.ValidationSet is { } set)
        {
            var v = ImageExamples.Read(set, _options.LabelColumnName, _options.FeatureColumnName, data.LabelColumn, cancellationToken, "the validation set");
            if (v.Shape != data.Shape)
                throw ImageExamples.SchemaError(_options.FeatureColumnName, $"images of shape {data.Shape} (as in the training data)", $"{v.Shape}", "the validation set");
            return ([.. Enumerable.Range(0, n)], new ValidationImages(new OodFitting.Images(v.Pixels, null, v.Count), v.Labels));
        }
        int held = (int)Math.Round(n * _options.ValidationSetFraction);
        if (held == 0)
            return ([.. Enumerable.Range(0, n)], null);
        if (held >= n)
            throw new ArgumentException($"ValidationSetFraction {_options.ValidationSetFraction} of {n} images leaves nothing to train on; lower it.");
        var order = Enumerable.Range(0, n).ToArray();
        new Rng(ImageAugmenter.SeedFor(_seed, -1, 0)).Shuffle(order.AsSpan());
        var validationRows = order[..held];
        Array.Sort(validationRows);
        var trainRows = order[held..];
        Array.Sort(trainRows); // the training order stays the file order unless shuffling
        // Read in place from the training data's array: no copy of the held-out images.
        var labels = new int[held];
        for (int i = 0; i < held; i++)
            labels[i] = data.Labels[validationRows[i]];
        return (trainRows, new ValidationImages(new OodFitting.Images(data.Pixels, validationRows, held), labels));
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
            Layers = o.InitialModel is { } from ? [.. from.Info.Layers] : o.Layers is null ? p.Layers : [.. o.Layers],
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
            ValidationSetFraction = o.ValidationSet is null ? o.ValidationSetFraction : 0,
            ExplicitValidationSet = o.ValidationSet is not null,
            EarlyStoppingCriteria = o.EarlyStoppingCriteria,
            TestOnTrainSet = o.TestOnTrainSet,
            Mean = o.InitialModel is { } m ? [.. m.Info.Mean] : [.. o.Mean],
            StandardDeviation = o.InitialModel is { } d ? [.. d.Info.StandardDeviation] : [.. o.StandardDeviation],
            PixelScale = o.InitialModel?.Info.PixelScale ?? o.PixelScale,
            Calibrate = o.Calibrate,
            Seed = _seed,
            NumberOfThreads = o.NumberOfThreads ?? Environment.ProcessorCount,
            InitialModel = o.InitialModel is { } start ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(start.GetOnnxModel()))[..12] : null,
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
        if (!(o.OodFalsePositiveRate >= 0 && o.OodFalsePositiveRate < 1))
            throw new ArgumentOutOfRangeException(nameof(Options.OodFalsePositiveRate), o.OodFalsePositiveRate, "OodFalsePositiveRate must be in [0, 1) (0: no out-of-distribution score).");
        if (o.OodTrainingImages < 0)
            throw new ArgumentOutOfRangeException(nameof(Options.OodTrainingImages), o.OodTrainingImages, "OodTrainingImages must be 0 (all training images) or more.");
        if (!(o.ValidationSetFraction >= 0 && o.ValidationSetFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(Options.ValidationSetFraction), o.ValidationSetFraction, "ValidationSetFraction must be in [0, 1).");
        if (o.NumberOfThreads is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Options.NumberOfThreads), o.NumberOfThreads, "NumberOfThreads must be positive (or null for all cores).");
        if (o.Backend is { } backend && !Enum.IsDefined(backend))
            throw new ArgumentOutOfRangeException(nameof(Options.Backend), backend, "Backend must be Auto, Managed, OpenBlas or Gpu (or null for Kernels.Default's).");
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
        o.EarlyStoppingCriteria?.Check();
        bool hasValidation = o.ValidationSet is not null || o.ValidationSetFraction > 0;
        if (o.EarlyStoppingCriteria is not null && !hasValidation)
            throw new ArgumentException("EarlyStoppingCriteria needs validation images: set ValidationSetFraction > 0 or a ValidationSet.");
        if (o.GpuDeviceId is < 0)
            throw new ArgumentOutOfRangeException(nameof(Options.GpuDeviceId), o.GpuDeviceId, "GpuDeviceId must be >= 0 (or null for the CPU).");
        var layers = o.Layers ?? _preset.Layers;
        NetworkSpec.Parse(layers, 1, 64, 64); // the grammar; shapes are checked against the real images in Fit
    }

    /// <summary>Reports a message to the MetricsCallback and to MLContext.Log.</summary>
    private void Report(Stopwatch clock, string message) =>
        Report(new TrainingProgress { Trainer = TrainerName, Kind = TrainingProgressKind.Message, Elapsed = clock.Elapsed, Message = message });

    /// <summary>Gives a report to the MetricsCallback; messages and epochs also go to MLContext.Log (channel "ImageClassification").</summary>
    private void Report(TrainingProgress progress)
    {
        _options.MetricsCallback?.Invoke(progress);
        if (progress.Kind != TrainingProgressKind.Batch)
            _channel?.Info(MessageSensitivity.None, progress.ToString());
    }
}
