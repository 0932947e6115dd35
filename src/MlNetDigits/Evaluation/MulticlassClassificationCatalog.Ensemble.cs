using MlNetDigits.Trainers;
using MlNetDigits.Trainers.ImageClassification;

namespace MlNetDigits.Evaluation;

public sealed partial class MulticlassClassificationCatalog
{
    /// <summary>
    /// Combines trained multiclass models (e.g. CNNs trained with different seeds) into one that averages their class
    /// probabilities; it has the same columns as each model and saves and loads like one.
    /// </summary>
    public MulticlassEnsemble Ensemble(params MulticlassPredictionTransformer[] models) => new(models);
}
