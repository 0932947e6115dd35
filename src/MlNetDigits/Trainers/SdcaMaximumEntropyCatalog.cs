using MlNetDigits.Evaluation;

namespace MlNetDigits.Trainers;

/// <summary><c>context.MulticlassClassification.Trainers.SdcaMaximumEntropy(...)</c>, as in ML.NET.</summary>
public static class SdcaMaximumEntropyCatalog
{
    /// <summary>
    /// A linear maximum-entropy classifier trained by SDCA. Null regularisation and iteration counts are chosen from the data
    /// size the way ML.NET chooses them (and reported through the context's log and progress).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label: a key (1..K) or an integer type (0..K-1).</param>
    /// <param name="featureColumnName">The features: a known-size vector of Single.</param>
    /// <param name="exampleWeightColumnName">An optional Single column of example weights.</param>
    /// <param name="l2Regularization">The L2 constant.</param>
    /// <param name="l1Regularization">The L1 soft threshold (L1 constant / L2 constant).</param>
    /// <param name="maximumNumberOfIterations">The most passes over the data.</param>
    public static SdcaMaximumEntropyMulticlassTrainer SdcaMaximumEntropy(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = SdcaMaximumEntropyMulticlassTrainer.Defaults.LabelColumnName,
        string featureColumnName = SdcaMaximumEntropyMulticlassTrainer.Defaults.FeatureColumnName,
        string? exampleWeightColumnName = null,
        float? l2Regularization = null,
        float? l1Regularization = null,
        int? maximumNumberOfIterations = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SdcaMaximumEntropyMulticlassTrainer(catalog.Context, new SdcaMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            ExampleWeightColumnName = exampleWeightColumnName,
            L2Regularization = l2Regularization,
            L1Regularization = l1Regularization,
            MaximumNumberOfIterations = maximumNumberOfIterations,
        });
    }

    /// <summary>A linear maximum-entropy classifier trained by SDCA with every option given.</summary>
    public static SdcaMaximumEntropyMulticlassTrainer SdcaMaximumEntropy(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        SdcaMaximumEntropyMulticlassTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SdcaMaximumEntropyMulticlassTrainer(catalog.Context, options);
    }
}
