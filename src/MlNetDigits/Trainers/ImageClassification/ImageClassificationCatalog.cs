using MlNetDigits.Evaluation;

namespace MlNetDigits.Trainers.ImageClassification;

/// <summary><c>context.MulticlassClassification.Trainers.ImageClassification(...)</c>: a CNN trained from scratch, offline.</summary>
public static class ImageClassificationCatalog
{
    /// <summary>
    /// A convolutional network trained on raw images (0..255 pixels, normalised inside the model) from a preset: "fast"
    /// (one epoch, a few seconds), "classic" (PyTorch's MNIST example) or "best" (batch-normalised, augmented).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label: a key (1..K) or an integer type (0..K-1).</param>
    /// <param name="featureColumnName">The images: a Single vector with an ImageShape annotation (C, H, W) or Vector&lt;Single, H, W&gt;.</param>
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
        return new ImageClassificationTrainer(catalog.Context, new ImageClassificationTrainer.Options
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
        return new ImageClassificationTrainer(catalog.Context, options);
    }
}
