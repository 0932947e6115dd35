using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Data.Idx;
using MlNetDigits.Trainers;
using MlNetDigits.Trainers.ImageClassification;
using MlNetDigits.Transforms;

namespace MlNetDigits.Tests.Prediction;

/// <summary>
/// Small real models for the prediction tests, trained once per test run on the committed 2,000-digit sample: an SDCA
/// maximum-entropy chain (ScalePixels, then the trainer), saved with the training schema as model files do.
/// </summary>
internal static class PredictionTestModels
{
    private static readonly Lazy<Trained> Sdca = new(Train);
    private static readonly Lazy<(ImageClassificationTransformer Model, DataViewSchema InputSchema, byte[] FileBytes)> Cnn = new(TrainCnn);

    /// <summary>The sample folder copied next to the test assembly.</summary>
    public static string SampleFolder => Path.Combine(AppContext.BaseDirectory, "data", "sample");

    /// <summary>The trained SDCA chain, its training schema and its model file bytes.</summary>
    public static Trained SdcaModel => Sdca.Value;

    /// <summary>A CNN (the "fast" preset, 1 epoch of batches of 64 on the 2,000 sample digits, 2 threads) and its model file bytes.</summary>
    public static (ImageClassificationTransformer Model, DataViewSchema InputSchema, byte[] FileBytes) CnnModel => Cnn.Value;

    /// <summary>The sample's test split (1,000 digits).</summary>
    public static IDataView TestData() => new DigitsContext(seed: 1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

    /// <summary>The first <paramref name="count"/> test digits as (raw pixels 0..255, label).</summary>
    public static (float[] Pixels, uint Label)[] TestDigits(int count) =>
        [.. new DigitsContext(seed: 1).Data.CreateEnumerable<DigitRow>(TestData()).Take(count).Select(r => (r.Image, r.Label))];

    /// <summary>
    /// The same trained classifier behind a different pixel scale, so its scores differ from <see cref="SdcaModel"/>'s:
    /// a second valid model for reload tests.
    /// </summary>
    public static byte[] RescaledModelBytes(float scale)
    {
        var context = new DigitsContext(seed: 1);
        var trained = SdcaModel;
        var scalePixels = context.Transforms.ScalePixels("Features", "Image", scale: scale).Fit(TestData());
        var chain = new TransformerChain<ITransformer>(scalePixels, trained.Model.LastTransformer!);
        return Save(context, chain, trained.InputSchema);
    }

    /// <summary>Model file bytes of <paramref name="model"/>.</summary>
    public static byte[] Save(DigitsContext context, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        context.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    /// <summary>A unique temporary folder, deleted by the caller.</summary>
    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "mlnd-predict-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static Trained Train()
    {
        var context = new DigitsContext(seed: 1);
        var train = context.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Train);
        var pipeline = context.Transforms.ScalePixels("Features", "Image")
            .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 8));
        var model = pipeline.Fit(train);
        return new Trained(model, train.Schema, Save(context, model, train.Schema));
    }

    private static (ImageClassificationTransformer, DataViewSchema, byte[]) TrainCnn()
    {
        var context = new DigitsContext(seed: 1);
        var train = context.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Train);
        var trainer = context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Preset = "fast",
            Epochs = 1,
            BatchSize = 64,
            ValidationFraction = 0,
            NumberOfThreads = 2,
            Seed = 1,
        });
        var model = trainer.Fit(train);
        return (model, train.Schema, Save(context, model, train.Schema));
    }

    /// <summary>A trained chain, the schema it was trained on, and its saved file.</summary>
    public sealed record Trained(TransformerChain<MaximumEntropyPredictionTransformer> Model, DataViewSchema InputSchema, byte[] FileBytes);

    /// <summary>A row of the IDX data: label and raw pixels.</summary>
    public sealed class DigitRow
    {
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }
}
