using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetDigits;

/// <summary>
/// <c>mlContext.MulticlassClassification.Trainers.ImageClassification(...)</c>: a CNN trained from scratch on the CPU,
/// offline, whose model is ONNX inside a standard ML.NET model. (Microsoft.ML.Vision's trainer of the same name retrains
/// a TensorFlow network and needs TensorFlow; this one needs neither.)
/// </summary>
public static class ImageClassificationCatalog
{
    /// <summary>
    /// A convolutional network trained on raw images (0..255 pixels, normalised inside the model) from a preset: "fast"
    /// (one epoch, a few seconds), "classic" (PyTorch's MNIST example) or "best" (batch-normalised, augmented).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label: a UInt32 key (MapValueToKey).</param>
    /// <param name="featureColumnName">The images: Vector&lt;Single, H, W&gt; or Vector&lt;Single, C, H, W&gt; of raw pixels.</param>
    /// <param name="preset">"fast", "classic" or "best".</param>
    /// <param name="epochs">Epochs to train; null: the preset's.</param>
    public static ImageClassificationTrainer ImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = ImageClassificationTrainer.Defaults.LabelColumnName,
        string featureColumnName = ImageClassificationTrainer.Defaults.FeatureColumnName,
        string preset = ImageClassificationTrainer.Defaults.Preset,
        int? epochs = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageClassificationTrainer(EnvironmentOf(catalog), new ImageClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Preset = preset,
            Epochs = epochs,
        });
    }

    /// <summary>A convolutional network trained with every option given.</summary>
    public static ImageClassificationTrainer ImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        ImageClassificationTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageClassificationTrainer(EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// The MLContext's environment behind a catalog, so that the trainer logs to MLContext.Log and draws its seed from the
    /// context's seeded source as ML.NET's own trainers do. ML.NET keeps it behind an internal interface
    /// (IInternalCatalog.Environment) that third-party catalog extensions cannot name, so it is read by reflection; a test
    /// pins this, so an ML.NET release that moves it fails loudly rather than silently losing the seed.
    /// </summary>
    internal static IHostEnvironment EnvironmentOf(object catalog)
    {
        var internalCatalog = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog");
        return internalCatalog?.GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment
            ?? throw new InvalidOperationException(
                $"Cannot find the MLContext behind {catalog.GetType().Name} (this ML.NET version keeps it elsewhere). Create the trainer with new ImageClassificationTrainer(mlContext, options) instead.");
    }
}
