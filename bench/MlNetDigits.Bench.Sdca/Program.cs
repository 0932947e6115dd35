using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using MlNetDigits;

// Usage: MlNetDigits.Bench.Sdca [dataDir] [threads|auto] [l2=..] [l1=..] [iterations=..]
// Trains ML.NET's SdcaMaximumEntropy (the linear baseline, default options unless overridden) on MNIST loaded with
// LoadFromIdxFolder, pixels scaled to [0, 1] by NormalizeMinMax, and prints test accuracy, log-loss and seconds as
// "key=value" lines that bench/sdca/run.sh parses. The data is loaded and cached before the clock starts, as
// scikit-learn's arrays are in memory before its fit.
var dataDir = args.Length > 0 ? args[0] : "data/mnist";
int? threads = args.Length > 1 && args[1] != "auto" ? int.Parse(args[1], CultureInfo.InvariantCulture) : null;
var overrides = args.Skip(2).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
float? Float(string key) => overrides.TryGetValue(key, out var v) ? float.Parse(v, CultureInfo.InvariantCulture) : null;

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("Sdca", StringComparison.Ordinal))
        Console.WriteLine($"# {e.Message}");
};
var train = ml.Data.LoadFromIdxFolder(dataDir, DatasetSplit.Train);
var test = ml.Data.LoadFromIdxFolder(dataDir, DatasetSplit.Test);
var prepare = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
    .Fit(train);
var prepared = ml.Data.Cache(prepare.Transform(train));
using (var warm = prepared.GetRowCursor(prepared.Schema))
    while (warm.MoveNext()) { } // fill the cache

var trainer = ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
{
    LabelColumnName = "Label",
    FeatureColumnName = "Features",
    NumberOfThreads = threads,
    L2Regularization = Float("l2"),
    L1Regularization = Float("l1"),
    MaximumNumberOfIterations = (int?)Float("iterations"),
});
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var watch = Stopwatch.StartNew();
var model = trainer.Fit(prepared);
var seconds = watch.Elapsed.TotalSeconds;
var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

var metrics = ml.MulticlassClassification.Evaluate(model.Transform(prepare.Transform(test)));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threads={(threads?.ToString(CultureInfo.InvariantCulture) ?? "auto")}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy={metrics.MicroAccuracy:F4}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"log_loss={metrics.LogLoss:F4}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_seconds={seconds:F3}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_cpu_seconds={cpuSeconds:F3}"));
