using Microsoft.Extensions.Logging;
using Microsoft.ML.Transforms;

namespace MlNetDigits.Tests;

/// <summary>
/// Small real models for the prediction tests, trained once per test run on the committed 2,000-digit sample with the
/// standard ML.NET pipelines (MapValueToKey by value, then the trainer, then MapKeyToValue), saved with the training
/// schema as model files are.
/// </summary>
internal static class TestModels
{
    private static readonly Lazy<Trained> Sdca = new(() => Train(ml => ml.Transforms.NormalizeMinMax("Features", "Image")
        .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features", maximumNumberOfIterations: 8))));

    private static readonly Lazy<Trained> Cnn = new(() => Train(ml => ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
    {
        Preset = "fast",
        Epochs = 1,
        BatchSize = 64,
        ValidationSetFraction = 0,
        NumberOfThreads = 2,
        Seed = 1,
        ProgressInterval = 0,
    })));

    private static readonly Lazy<Trained> CnnWithOod = new(() => Train(ml => ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
    {
        Preset = "fast",
        Epochs = 3,
        BatchSize = 32,
        ValidationSetFraction = 0.2,
        NumberOfThreads = 2,
        Seed = 1,
        ProgressInterval = 0,
    })));

    /// <summary>The sample folder copied next to the test assembly.</summary>
    public static string SampleFolder => Path.Combine(AppContext.BaseDirectory, "data", "sample");

    /// <summary>ML.NET's SDCA on the sample (8 iterations).</summary>
    public static Trained SdcaModel => Sdca.Value;

    /// <summary>The CNN "fast" preset, 1 epoch of batches of 64 on the sample, 2 threads.</summary>
    public static Trained CnnModel => Cnn.Value;

    /// <summary>
    /// The CNN "fast" preset, 3 epochs of batches of 32 on 800 of the sample's digits; the other 200 are its validation
    /// images (temperature and the out-of-distribution threshold, so it has an OodScore).
    /// </summary>
    public static Trained CnnWithOodModel => CnnWithOod.Value;

    /// <summary>The sample's test split (1,000 digits).</summary>
    public static IDataView TestData() => new MLContext(seed: 1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

    /// <summary>The first <paramref name="count"/> test digits as (raw pixels 0..255, label).</summary>
    public static (float[] Pixels, uint Label)[] TestDigits(int count) =>
        [.. new MLContext(seed: 1).Data.CreateEnumerable<ImageClassificationTestData.Row>(TestData(), reuseRowObject: false).Take(count).Select(r => (r.Image, r.Label))];

    /// <summary>
    /// A second valid SDCA model whose scores differ from <see cref="SdcaModel"/>'s (the same classifier after another pixel
    /// scaling), for reload tests.
    /// </summary>
    public static byte[] RescaledModelBytes(float scale)
    {
        var ml = new MLContext(seed: 1);
        var trained = SdcaModel;
        var stages = ((IEnumerable<ITransformer>)trained.Model).ToArray();
        var rescale = ml.Transforms.Expression("Image", $"x => x * {scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", "Image").Fit(TestData());
        return Save(ml, new TransformerChain<ITransformer>([rescale, .. stages]), trained.InputSchema);
    }

    /// <summary>Model file bytes of <paramref name="model"/>.</summary>
    public static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    /// <summary>A unique temporary folder, deleted by the caller.</summary>
    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "mlnd-predict-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static Trained Train(Func<MLContext, IEstimator<ITransformer>> trainer)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Train);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(trainer(ml))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(train);
        return new Trained(model, train.Schema, Save(ml, model, train.Schema));
    }

    /// <summary>A trained chain, the schema it was trained on, and its saved file.</summary>
    public sealed record Trained(ITransformer Model, DataViewSchema InputSchema, byte[] FileBytes);
}

/// <summary>An ILogger that keeps every message, for tests of what a component logs.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
                return [.. _messages];
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_messages)
            _messages.Add(formatter(state, exception));
    }
}
