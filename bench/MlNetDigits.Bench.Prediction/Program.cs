using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms;
using MlNetDigits;

// Usage: MlNetDigits.Bench.Prediction [--data <idx folder>] [--seconds <per measurement>] [model.zip ...]
// Without models it benchmarks models/*.zip, or (when there are none) an SDCA model and a "fast" CNN it trains on the data
// first. Prints one "name=value" line per figure. Every model goes through ML.NET's own PredictionEngine (what an app with
// only the official packages does); for a CNN the same image is also timed through ONNX Runtime alone (an InferenceSession
// on the embedded graph, one and all intra-op threads) and through the engine alone (the network rebuilt from the graph),
// so the cost of each layer of the stack shows. Timings are wall-clock on this machine: quote them with the machine's load.
var argList = args.ToList();
string Option(string name, string fallback)
{
    int i = argList.IndexOf(name);
    if (i < 0 || i + 1 >= argList.Count)
        return fallback;
    var value = argList[i + 1];
    argList.RemoveRange(i, 2);
    return value;
}
var dataFolder = Option("--data", "data/sample");
var seconds = double.Parse(Option("--seconds", "2"), CultureInfo.InvariantCulture);
var models = argList.Count > 0 ? argList : Directory.Exists("models") ? [.. Directory.GetFiles("models", "*.zip").Order()] : [];

var ml = new MLContext(seed: 1);
var test = ml.Data.LoadFromIdxFolder(dataFolder, DatasetSplit.Test);
var digits = ml.Data.CreateEnumerable<DigitInput>(test, reuseRowObject: false).Take(10_000).ToArray();
Console.WriteLine($"# data {dataFolder}: {digits.Length} test digits; {Environment.ProcessorCount} processors; {seconds} s per measurement; load {File.ReadAllText("/proc/loadavg").Trim()}");
if (models.Count == 0)
{
    // No models: train the two kinds the repository ships, quickly, on the data given.
    var folder = Path.Combine(Path.GetTempPath(), "mlnd-bench-models");
    Directory.CreateDirectory(folder);
    var train = ml.Data.LoadFromIdxFolder(dataFolder, DatasetSplit.Train);
    var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
    var watch = Stopwatch.StartNew();
    var sdca = keys.Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
        .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 10))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
    ml.Model.Save(sdca, train.Schema, Path.Combine(folder, "sdca.zip"));
    Console.WriteLine($"# trained {folder}/sdca.zip (ML.NET SDCA, at most 10 iterations on {dataFolder}) in {watch.Elapsed.TotalSeconds:0.0} s");
    watch.Restart();
    var cnn = keys.Append(ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
    {
        Preset = "fast",
        ValidationSetFraction = 0,
        Seed = 1,
    })).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
    ml.Model.Save(cnn, train.Schema, Path.Combine(folder, "cnn-fast.zip"));
    Console.WriteLine($"# trained {folder}/cnn-fast.zip (CNN preset fast on {dataFolder}) in {watch.Elapsed.TotalSeconds:0.0} s");
    models = [Path.Combine(folder, "sdca.zip"), Path.Combine(folder, "cnn-fast.zip")];
}

// A short unreported pass first, so every path is past tiered JIT (the runtime delays tier-up while new code is still
// being compiled) before anything is timed.
Bench.Quiet = true;
foreach (var modelPath in models)
    Bench.Run(ml, modelPath, test, digits, 0.2);
Bench.Quiet = false;
foreach (var modelPath in models)
    Bench.Run(ml, modelPath, test, digits, seconds);

internal static class Bench
{
    /// <summary>When true nothing is printed (the warm-up pass).</summary>
    public static bool Quiet { get; set; }

    public static void Run(MLContext ml, string modelPath, IDataView test, DigitInput[] digits, double seconds)
    {
        var name = Path.GetFileNameWithoutExtension(modelPath);
        if (!Quiet)
            Console.WriteLine($"# model {modelPath} ({new FileInfo(modelPath).Length / 1024.0:0.#} KiB)");

        // Memory: the loaded model with its first engine and one prediction, then each further engine (100 kept alive).
        long start = GC.GetTotalMemory(forceFullCollection: true);
        var model = ml.Model.Load(modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model);
        var output = new DigitOutput();
        engine.Predict(digits[0], ref output);
        long loaded = GC.GetTotalMemory(forceFullCollection: true);
        Report(name, "memory_bytes_model_and_first_engine", loaded - start);
        var engines = Enumerable.Range(0, 100).Select(_ => ml.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model)).ToArray();
        foreach (var e in engines)
            e.Predict(digits[0]);
        Report(name, "memory_bytes_per_further_engine", (GC.GetTotalMemory(forceFullCollection: true) - loaded) / (double)engines.Length);
        // Not disposed: PredictionEngine.Dispose disposes the model's transformers too (the ONNX Runtime session), which
        // the first engine still uses; dropping them is enough.
        engines = null;

        // ML.NET's PredictionEngine: one image at a time into the same output object.
        int next = 0;
        Report(name, "engine_latency_us", Latency(() => engine.Predict(digits[next++ % digits.Length], ref output), seconds));
        Report(name, "engine_accuracy_on_test_digits", digits.Count(d => { engine.Predict(d, ref output); return output.PredictedLabel == d.Label; }) / (double)digits.Length);
        Report(name, "engine_alloc_bytes_per_predict", AllocationPerCall(() => engine.Predict(digits[next++ % digits.Length], ref output)));

        // Below the PredictionEngine, for a CNN: ONNX Runtime alone on the embedded graph, and the engine alone.
        if (CnnModelInfo.FromModel(ml, model) is { IsEnsemble: false } info)
        {
            var onnx = CnnModelInfo.ReadOnnxFromModelFile(modelPath);
            foreach (var threads in new[] { 1, 0 })
            {
                using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
                using var session = new InferenceSession(onnx, options);
                var pixels = new float[784];
                var scores = new float[info.ClassNames.Count];
                using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 1, 28, 28]);
                using var scoreValue = OrtValue.CreateTensorValueFromMemory(scores, [1, scores.Length]);
                using var run = new RunOptions();
                Report(name, $"onnxruntime_{(threads == 1 ? "1_thread" : "all_threads")}_latency_us", Latency(() =>
                {
                    digits[next++ % digits.Length].Image.CopyTo(pixels, 0);
                    session.Run(run, [info.InputColumnName], [input], ["Score"], [scoreValue]);
                }, seconds));
            }
            using var scorer = CnnEngineScorer.FromOnnx(onnx, threads: 1);
            var probabilities = new float[scorer.ClassCount];
            Report(name, "engine_alone_latency_us", Latency(() => scorer.Score(digits[next++ % digits.Length].Image, probabilities), seconds));
        }

        // Facade: PNG bytes in (decode + MNIST preprocessing + pooled engine), and MNIST pixels in (no preprocessing).
        using var classifier = DigitClassifier.Load(modelPath);
        var pngs = digits.Take(100).Select(d => ImageCodec.EncodePng(GrayImage.FromBytes(28, 28, [.. d.Image.Select(v => (byte)(255 - v))]))).ToArray();
        var large = ImageCodec.EncodePng(Canvas(digits[0].Image, 280));
        Report(name, "facade_png28_latency_us", Latency(() => classifier.Classify(pngs[next++ % pngs.Length]), seconds));
        Report(name, "facade_png280_latency_us", Latency(() => classifier.Classify(large), seconds));
        Report(name, "facade_mnist28x28_latency_us", Latency(() => classifier.Classify28x28(digits[next++ % digits.Length].Image), seconds));

        // Batch: the whole test split through the data-view path (Transform, then read Score).
        Report(name, "dataview_batch_images_per_s", Throughput(() => CountScored(model.Transform(test)), seconds));

        // Pool: total predictions per second from 1 and 2 threads.
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(modelPath);
        foreach (var threads in new[] { 1, 2 })
            Report(name, $"pool_{threads}_threads_predictions_per_s", PoolThroughput(pool, digits, threads, seconds));
        engine.Dispose();
    }

    private static void Report(string model, string key, double value)
    {
        if (!Quiet)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model}.{key}={value:0.##}"));
    }

    /// <summary>Median over 15 rounds of the mean microseconds per call, after a warm-up of at least a second (tiered JIT).</summary>
    private static double Latency(Action call, double seconds)
    {
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < Math.Max(0.5, seconds / 2))
            call();
        int perRound = Calibrate(call, seconds / 15);
        var rounds = new double[15];
        for (int r = 0; r < rounds.Length; r++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < perRound; i++)
                call();
            rounds[r] = watch.Elapsed.TotalMicroseconds / perRound;
        }
        Array.Sort(rounds);
        return rounds[rounds.Length / 2];
    }

    /// <summary>Warms up, then the number of calls that take about <paramref name="seconds"/>.</summary>
    private static int Calibrate(Action call, double seconds)
    {
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed.TotalSeconds < Math.Max(0.2, seconds) || calls < 50)
        {
            call();
            calls++;
        }
        return Math.Max(1, (int)(calls * seconds / watch.Elapsed.TotalSeconds));
    }

    private static double AllocationPerCall(Action call)
    {
        for (int i = 0; i < 100; i++)
            call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            call();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;
    }

    /// <summary>Items per second of <paramref name="run"/> (which returns how many items it processed), best of its runs.</summary>
    private static double Throughput(Func<int> run, double seconds)
    {
        run();
        double best = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var watch = Stopwatch.StartNew();
            int items = run();
            best = Math.Max(best, items / watch.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static int CountScored(IDataView scored)
    {
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        int rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows++;
        }
        return rows;
    }

    /// <summary>Predictions per second of <paramref name="threads"/> threads calling the pool together for <paramref name="seconds"/>.</summary>
    private static double PoolThroughput(PredictionEnginePool<DigitInput, DigitOutput> pool, DigitInput[] digits, int threads, double seconds)
    {
        long total = 0;
        var duration = (long)(seconds * Stopwatch.Frequency);
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < 200; i++)
                pool.Predict(digits[i % digits.Length]);
            start.SignalAndWait();
            // Each thread runs for the same span from the common start.
            long deadline = Stopwatch.GetTimestamp() + duration, count = 0;
            int next = t * 97;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                pool.Predict(digits[next++ % digits.Length]);
                count++;
            }
            Interlocked.Add(ref total, count);
        })).ToArray();
        foreach (var w in workers)
            w.Start();
        start.SignalAndWait();
        var watch = Stopwatch.StartNew();
        foreach (var w in workers)
            w.Join();
        return total / watch.Elapsed.TotalSeconds;
    }

    /// <summary>A <paramref name="side"/> x <paramref name="side"/> dark-on-white canvas with the digit enlarged in it.</summary>
    private static GrayImage Canvas(float[] digit, int side)
    {
        var image = new GrayImage(side, side);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                image[x, y] = 255 - digit[(y * 28 / side) * 28 + x * 28 / side];
        return image;
    }
}

internal sealed class DigitInput
{
    public uint Label { get; set; }

    [VectorType(28, 28)]
    public float[] Image { get; set; } = [];
}

internal sealed class DigitOutput
{
    public float[] Score { get; set; } = [];

    public uint PredictedLabel { get; set; }
}
