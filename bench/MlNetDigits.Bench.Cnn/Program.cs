using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetDigits;

// Usage: MlNetDigits.Bench.Cnn --preset fast|classic|best [--seeds 1,2,3,4,5] [--epochs N] [--validation-fraction F]
//        [--threads T] [--data DIR] [--batch-progress N] [--save DIR] [--ensemble] [--test-as-validation]
//        [--checkpoint DIR [--resume]] [--ensemble-with a.zip,b.zip]
// Trains the preset once per seed on the MNIST training set (IDX in DIR, default data/mnist), evaluates each model on the
// 10,000 test images (through the ML.NET model's Transform) with EvaluateDetailed, and prints "key=value" lines: per-seed accuracy, ECE
// (after temperature scaling when the run had validation images) and training seconds, then mean / min / max; with
// --ensemble also the accuracy of the models averaged. --test-as-validation measures the test set after every epoch
// (as the "validation" of the history; it steers nothing: no early stopping, no calibration). --checkpoint writes a
// checkpoint per seed after every epoch; --resume continues from it (bit-identically).
var options = ParseArgs(args);
string Get(string key, string fallback) => options.TryGetValue(key, out var v) ? v : fallback;
var preset = Get("preset", "fast");
var seeds = Get("seeds", "1").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
int? epochs = options.ContainsKey("epochs") ? int.Parse(options["epochs"], CultureInfo.InvariantCulture) : null;
int? threads = options.ContainsKey("threads") ? int.Parse(options["threads"], CultureInfo.InvariantCulture) : null;
double validation = double.Parse(Get("validation-fraction", preset == "best" ? "0.05" : "0"), CultureInfo.InvariantCulture);
int interval = int.Parse(Get("batch-progress", "0"), CultureInfo.InvariantCulture);
var dataDir = Get("data", "data/mnist");
var saveDir = options.GetValueOrDefault("save");
// Recipe experiments: --elastic off, --affine off, --lr X, --dropout-free, --label-smoothing X, --batch N, --weight-decay X.
ImageAugmentationOptions? augmentation = null;
if (options.ContainsKey("elastic") || options.ContainsKey("affine"))
    augmentation = new ImageAugmentationOptions { Elastic = Get("elastic", "on") != "off", Affine = Get("affine", "on") != "off" };
double? Number(string key) => options.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : null;

var ml = new MLContext(seed: 1);
void Progress(TrainingProgress report) => Console.WriteLine($"# {report}");
var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
var rawTrain = ml.Data.LoadFromIdxFolder(dataDir, DatasetSplit.Train);
var mapping = keys.Fit(rawTrain);
var train = mapping.Transform(rawTrain);
var test = mapping.Transform(ml.Data.LoadFromIdxFolder(dataDir, DatasetSplit.Test));
Console.WriteLine($"preset={preset} seeds={string.Join(",", seeds)} validation_fraction={validation.ToString(CultureInfo.InvariantCulture)} threads={threads?.ToString(CultureInfo.InvariantCulture) ?? "all"}");

var models = new List<ImageClassificationTransformer>();
var accuracies = new List<double>();
foreach (var seed in seeds)
{
    var trainer = ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
    {
        Preset = preset,
        Epochs = epochs,
        Seed = seed,
        NumberOfThreads = threads,
        ValidationSetFraction = validation,
        ProgressInterval = interval,
        MetricsCallback = Progress,
        WorkspacePath = options.TryGetValue("checkpoint", out var directory) ? Path.Combine(directory, $"seed{seed}") : null,
        ResumeFrom = options.ContainsKey("resume") ? Path.Combine(options["checkpoint"], $"seed{seed}") : null,
    });
    if (options.ContainsKey("test-as-validation"))
    {
        // Report the test accuracy after every epoch: the test set is only measured (no early stopping, no calibration).
        trainer = ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Preset = preset,
            Epochs = epochs,
            Seed = seed,
            NumberOfThreads = threads,
            Augmentation = augmentation ?? ImageClassificationPreset.Get(preset).Augmentation,
            LearningRate = Number("lr"),
            LabelSmoothing = Number("label-smoothing"),
            WeightDecay = Number("weight-decay"),
            BatchSize = (int?)Number("batch"),
            Layers = options.TryGetValue("layers", out var layers) ? layers.Split(';') : null,
            ValidationSet = test,
            Calibrate = false,
            ProgressInterval = interval,
            MetricsCallback = Progress,
            WorkspacePath = options.TryGetValue("checkpoint", out var folder) ? Path.Combine(folder, $"seed{seed}") : null,
            ResumeFrom = options.ContainsKey("resume") ? Path.Combine(options["checkpoint"], $"seed{seed}") : null,
        });
    }
    var watch = Stopwatch.StartNew();
    var model = trainer.Fit(train);
    double trainSeconds = watch.Elapsed.TotalSeconds;
    watch.Restart();
    var evaluation = ml.MulticlassClassification.EvaluateDetailed(model.Transform(test));
    var metrics = evaluation.Metrics;
    double evalSeconds = watch.Elapsed.TotalSeconds;
    models.Add(model);
    accuracies.Add(metrics.MicroAccuracy);
    var cal = model.Info.Calibration;
    foreach (var e in model.History)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed={seed} epoch={e.Epoch} train_loss={e.TrainingLoss:F4} train_accuracy={e.TrainingAccuracy:P2} validation_loss={e.ValidationLoss:F4} validation_accuracy={e.ValidationAccuracy:P2} lr={e.LearningRate:G3} seconds={e.Seconds:F1}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"seed={seed} epochs={model.History.Count} accuracy={metrics.MicroAccuracy:P2} log_loss={metrics.LogLoss:F4} ece={evaluation.Calibration.ExpectedCalibrationError:P2} temperature={model.Temperature:F3} " +
        $"val_ece_before={(cal is null ? "n/a" : cal.ExpectedCalibrationErrorBefore.ToString("P2", CultureInfo.InvariantCulture))} train_seconds={trainSeconds:F1} eval_seconds={evalSeconds:F1}"));
    if (saveDir is not null)
    {
        Directory.CreateDirectory(saveDir);
        ml.Model.Save(mapping.Append(model), rawTrain.Schema, Path.Combine(saveDir, $"{preset}-seed{seed}.zip"));
    }
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"mean_accuracy={accuracies.Average():P3} min_accuracy={accuracies.Min():P2} max_accuracy={accuracies.Max():P2} runs={accuracies.Count}"));
// --ensemble-with a.zip,b.zip: models saved earlier (e.g. the shipped models/cnn-best.zip) join the ensemble.
var members = new List<ImageClassificationTransformer>(models);
if (options.TryGetValue("ensemble-with", out var files))
    foreach (var file in files.Split(','))
    {
        var loaded = ImageClassificationTransformer.Load(ml, file);
        var metrics = ml.MulticlassClassification.Evaluate(loaded.Transform(test));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loaded={file} accuracy={metrics.MicroAccuracy:P2}"));
        members.Add(loaded);
    }
if (options.ContainsKey("ensemble") && members.Count > 1)
{
    var ensemble = ImageClassificationEnsemble.Create(members);
    var evaluation = ml.MulticlassClassification.EvaluateDetailed(ensemble.Transform(test));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ensemble_models={members.Count} ensemble_accuracy={evaluation.Metrics.MicroAccuracy:P2} ensemble_log_loss={evaluation.Metrics.LogLoss:F4} ensemble_ece={evaluation.Calibration.ExpectedCalibrationError:P2}"));
    if (saveDir is not null)
        ml.Model.Save(mapping.Append(ensemble), rawTrain.Schema, Path.Combine(saveDir, $"{preset}-ensemble.zip"));
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"Unexpected argument '{args[i]}'; options start with --.");
        var key = args[i][2..];
        result[key] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
    }
    return result;
}
