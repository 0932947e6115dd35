using System.Diagnostics;
using System.Globalization;
using MlNetDigits;
using MlNetDigits.Bench.Sdca;
using MlNetDigits.Data;
using MlNetDigits.Trainers;

// Usage: MlNetDigits.Bench.Sdca [dataDir] [threads|auto] [l2=..] [l1=..] [iterations=..] [tolerance=..] [check=..] [deterministic=false] [loss=softmax|pairwise]
// Trains SdcaMaximumEntropy with default options (unless overridden) on MNIST (pixels scaled to [0, 1]) and prints test accuracy, log-loss and
// training seconds as "key=value" lines that bench/sdca/run.sh parses.
var dataDir = args.Length > 0 ? args[0] : "data/mnist";
int? threads = args.Length > 1 && args[1] != "auto" ? int.Parse(args[1], CultureInfo.InvariantCulture) : null;
var overrides = args.Skip(2).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
float? Float(string key) => overrides.TryGetValue(key, out var v) ? float.Parse(v, CultureInfo.InvariantCulture) : null;

var context = new DigitsContext(seed: 1);
context.Log += (_, message) => Console.WriteLine($"# {message}");
context.TrainingProgress += (_, report) => Console.WriteLine($"# {report}");

var train = Load(Path.Combine(dataDir, "train-images-idx3-ubyte"), Path.Combine(dataDir, "train-labels-idx1-ubyte"));
var test = Load(Path.Combine(dataDir, "t10k-images-idx3-ubyte"), Path.Combine(dataDir, "t10k-labels-idx1-ubyte"));

var trainer = context.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
{
    NumberOfThreads = threads,
    Seed = 1,
    L2Regularization = Float("l2"),
    L1Regularization = Float("l1"),
    MaximumNumberOfIterations = (int?)Float("iterations"),
    ConvergenceTolerance = Float("tolerance") ?? SdcaMaximumEntropyMulticlassTrainer.Defaults.ConvergenceTolerance,
    ConvergenceCheckFrequency = (int?)Float("check"),
    Deterministic = !overrides.TryGetValue("deterministic", out var d) || bool.Parse(d),
    Loss = !overrides.TryGetValue("loss", out var loss) ? SdcaMaximumEntropyMulticlassTrainer.Defaults.Loss
        : loss == "pairwise" ? MlNetDigits.Engine.Sdca.SdcaLoss.PairwiseLogistic : MlNetDigits.Engine.Sdca.SdcaLoss.Softmax,
});
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var watch = Stopwatch.StartNew();
var model = trainer.Fit(train);
var seconds = watch.Elapsed.TotalSeconds;
var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

// Accuracy and log-loss (ML.NET's definition: mean of -ln p(true class), p clipped at 1e-15) over the test set.
var scored = model.Transform(test);
using var cursor = scored.GetRowCursor([scored.Schema["Label"], scored.Schema["Score"], scored.Schema["PredictedLabel"]]);
var getLabel = cursor.GetGetter<uint>(scored.Schema["Label"]);
var getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
var getPredicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
uint label = 0, predicted = 0;
VBuffer<float> score = default;
int rows = 0, correct = 0;
double logLoss = 0;
while (cursor.MoveNext())
{
    getLabel(ref label);
    getScore(ref score);
    getPredicted(ref predicted);
    rows++;
    correct += predicted == label ? 1 : 0;
    logLoss -= Math.Log(Math.Max(score.GetValues()[(int)label], 1e-15));
}

var summary = model.Summary!;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_rows={summary.ExampleCount} loss={(overrides.TryGetValue("loss", out var l) ? l : "default")}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threads={summary.NumberOfThreads}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epochs={summary.Epochs} best_epoch={summary.BestEpoch} converged={summary.Converged}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"l2={summary.L2Regularization:G4} l1={summary.L1Regularization:G4} max_iterations={summary.MaximumNumberOfIterations}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy={(double)correct / rows:F4}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"log_loss={logLoss / rows:F4}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_seconds={seconds:F3}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train_cpu_seconds={cpuSeconds:F3}"));

static InMemoryDataView Load(string images, string labels)
{
    var (pixels, count, size) = IdxFiles.ReadImages(images);
    var classes = IdxFiles.ReadLabels(labels);
    var features = new float[pixels.Length];
    for (int i = 0; i < pixels.Length; i++)
        features[i] = pixels[i] / 255f;
    return new InMemoryDataView.Builder()
        .AddScalar("Label", NumberDataViewType.UInt32, [.. classes.Take(count).Select(c => (uint)c)])
        .AddVector("Features", new VectorDataViewType(NumberDataViewType.Single, size), features)
        .Build();
}
