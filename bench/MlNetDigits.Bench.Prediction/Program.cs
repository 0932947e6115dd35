using System.Diagnostics;
using System.Globalization;
using MlNetDigits;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Data.Idx;
using MlNetDigits.Imaging;
using MlNetDigits.Prediction;
using MlNetDigits.Trainers;
using MlNetDigits.Transforms;

// Usage: MlNetDigits.Bench.Prediction [--data <idx folder>] [--seconds <per measurement>] [model.zip ...]
// Without models it benchmarks models/*.zip, or (when there are none) an SDCA model it trains on the data first.
// Prints one "name=value" line per figure. Timings are wall-clock on this machine: quote them with the machine's load.
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

var context = new DigitsContext(seed: 1);
var test = context.Data.LoadFromIdxFolder(dataFolder, DatasetSplit.Test);
var digits = context.Data.CreateEnumerable<DigitInput>(test).Take(1000).ToArray();
Console.WriteLine($"# data {dataFolder}: {digits.Length} test digits; {Environment.ProcessorCount} processors; {seconds} s per measurement");
if (models.Count == 0)
{
    var path = Path.Combine(Path.GetTempPath(), "mlnd-bench-sdca.zip");
    var train = context.Data.LoadFromIdxFolder(dataFolder, DatasetSplit.Train);
    var trained = context.Transforms.ScalePixels("Features", "Image")
        .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 10)).Fit(train);
    context.Model.Save(trained, train.Schema, path);
    Console.WriteLine($"# no models given and none in models/: trained {path} (SDCA, 10 epochs on {dataFolder})");
    models = [path];
}

foreach (var modelPath in models)
    Bench.Run(context, modelPath, test, digits, seconds);

internal static class Bench
{
    public static void Run(DigitsContext context, string modelPath, IDataView test, DigitInput[] digits, double seconds)
    {
        var name = Path.GetFileNameWithoutExtension(modelPath);
        var model = context.Model.Load(modelPath, out var schema);
        Console.WriteLine($"# model {modelPath} ({new FileInfo(modelPath).Length / 1024.0:0.#} KiB)");

        // Engine: one image at a time into the same output object.
        var engine = context.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model, schema);
        var output = new DigitOutput();
        int next = 0;
        var engineUs = Latency(() => engine.Predict(digits[next++ % digits.Length], ref output), seconds);
        Report(name, "engine_latency_us", engineUs);
        Report(name, "engine_alloc_bytes_per_predict", AllocationPerCall(() => engine.Predict(digits[next++ % digits.Length], ref output)));

        // Facade: PNG bytes in (decode + MNIST preprocessing + pooled engine), and MNIST pixels in (no preprocessing).
        using var classifier = DigitClassifier.Load(modelPath);
        var pngs = digits.Take(100).Select(d => PngEncoder.EncodeGray(28, 28, [.. d.Image.Select(v => (byte)(255 - v))])).ToArray();
        var large = PngEncoder.EncodeGray(Canvas(digits[0].Image, 280));
        Report(name, "facade_png28_latency_us", Latency(() => classifier.Classify(pngs[next++ % pngs.Length]), seconds));
        Report(name, "facade_png280_latency_us", Latency(() => classifier.Classify(large), seconds));
        Report(name, "facade_mnist28x28_latency_us", Latency(() => classifier.Classify28x28(digits[next++ % digits.Length].Image), seconds));
        Report(name, "facade_alloc_bytes_per_png28", AllocationPerCall(() => classifier.Classify(pngs[next++ % pngs.Length])));

        // Batch: the whole test split through the data-view path, and the trainer's batch API on prepared features.
        Report(name, "dataview_batch_images_per_s", Throughput(() => CountScored(model.Transform(test)), seconds));
        if (model is TransformerChain<ITransformer> chain && chain.LastTransformer is MulticlassPredictionTransformer predictor)
        {
            var prefix = new TransformerChain<ITransformer>([.. chain.Take(chain.Count - 1)]);
            var features = Features(prefix.Transform(test), predictor.FeatureColumnName, predictor.FeatureCount);
            int count = features.Length / predictor.FeatureCount;
            var probabilities = new float[count * predictor.ClassCount];
            Report(name, "predictor_batch_images_per_s", Throughput(() =>
            {
                predictor.PredictProbabilitiesBatch(features, probabilities);
                return count;
            }, seconds));
        }

        // Memory per engine: live bytes for 100 engines kept alive, divided by 100.
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var engines = Enumerable.Range(0, 100).Select(_ => context.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model, schema)).ToArray();
        foreach (var e in engines)
            e.Predict(digits[0]);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Report(name, "memory_bytes_per_engine", (after - before) / (double)engines.Length);
        GC.KeepAlive(engines);

        // Pool: total predictions per second from 1 and 2 threads.
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(modelPath);
        foreach (var threads in new[] { 1, 2 })
            Report(name, $"pool_{threads}_threads_predictions_per_s", PoolThroughput(pool, digits, threads, seconds));
    }

    private static void Report(string model, string key, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model}.{key}={value:0.##}"));

    /// <summary>Median over 15 rounds of the mean microseconds per call, after a warm-up.</summary>
    private static double Latency(Action call, double seconds)
    {
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

    private static float[] Features(IDataView data, string column, int size)
    {
        var values = new List<float>();
        using var cursor = data.GetRowCursor([data.Schema[column]]);
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.AddRange(value.GetValues().ToArray());
        }
        return [.. values];
    }

    private static double PoolThroughput(PredictionEnginePool<DigitInput, DigitOutput> pool, DigitInput[] digits, int threads, double seconds)
    {
        long total = 0;
        using var start = new Barrier(threads + 1);
        var stopAt = 0L;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var output = new DigitOutput();
            for (int i = 0; i < 200; i++)
                pool.Predict(digits[i % digits.Length], ref output);
            start.SignalAndWait();
            long count = 0;
            int next = t * 97;
            while (Stopwatch.GetTimestamp() < Volatile.Read(ref stopAt))
            {
                pool.Predict(digits[next++ % digits.Length], ref output);
                count++;
            }
            Interlocked.Add(ref total, count);
        })).ToArray();
        foreach (var w in workers)
            w.Start();
        Volatile.Write(ref stopAt, Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency));
        var watch = Stopwatch.StartNew();
        start.SignalAndWait();
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
    [VectorType(28, 28)]
    public float[] Image { get; set; } = [];
}

internal sealed class DigitOutput
{
    public float[] Score { get; set; } = [];
}
