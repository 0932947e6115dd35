using System.Globalization;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Core;
using MlNetDigits.Trainers;
using MlNetDigits.Trainers.ImageClassification;

namespace MlNetDigits.Cli.Training;

/// <summary>Looks inside a fitted model: its classifier stage, the stages before it, and what it recorded about its training.</summary>
internal static class ModelInspector
{
    /// <summary>The stages of <paramref name="model"/> in order, chains flattened.</summary>
    public static List<ITransformer> Stages(ITransformer model)
    {
        var stages = new List<ITransformer>();
        Flatten(model, stages);
        return stages;
    }

    /// <summary>The last classifier stage of <paramref name="model"/>, or null when it has none.</summary>
    public static MulticlassPredictionTransformer? FindClassifier(ITransformer model) =>
        Stages(model).OfType<MulticlassPredictionTransformer>().LastOrDefault();

    /// <summary>"cnn", "sdca" or "model", from the classifier stage.</summary>
    public static string KindOf(ITransformer model) => FindClassifier(model) switch
    {
        ImageClassificationTransformer => "cnn",
        MaximumEntropyPredictionTransformer => "sdca",
        _ => "model",
    };

    /// <summary>A description of the model, e.g. "CNN (preset best, 6 epochs)".</summary>
    public static string Describe(ITransformer model) => FindClassifier(model) switch
    {
        ImageClassificationTransformer cnn => cnn.Settings is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"CNN (preset {s.Preset}, {cnn.History.Count} epoch{(cnn.History.Count == 1 ? "" : "s")}, {s.Optimizer})")
            : "CNN",
        MaximumEntropyPredictionTransformer sdca => sdca.Summary is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"SDCA maximum entropy ({s.Epochs} iterations)")
            : "SDCA maximum entropy",
        { } other => other.GetType().Name,
        null => "model without a classifier stage",
    };

    /// <summary>The curves a saved model carries (the CNN's per-epoch history) and a note on what they are.</summary>
    public static (IReadOnlyList<TrainingCurve> Curves, string Note) CurvesFromModel(ITransformer model)
    {
        switch (FindClassifier(model))
        {
            case ImageClassificationTransformer { History.Count: > 0 } cnn:
                var h = cnn.History;
                var loss = new List<CurveSeries> { new("training (epoch mean)", [.. h.Select(e => new CurvePoint(e.Epoch, e.TrainingLoss))]) };
                var accuracy = new List<CurveSeries> { new("training (epoch mean)", [.. h.Select(e => new CurvePoint(e.Epoch, e.TrainingAccuracy))]) };
                if (h.All(e => e.ValidationLoss is not null))
                {
                    loss.Add(new("validation", [.. h.Select(e => new CurvePoint(e.Epoch, e.ValidationLoss!.Value))]));
                    accuracy.Add(new("validation", [.. h.Select(e => new CurvePoint(e.Epoch, e.ValidationAccuracy!.Value))]));
                }
                return ([new TrainingCurve("Loss", "epoch", "cross-entropy", loss), new TrainingCurve("Accuracy", "epoch", "accuracy", accuracy)],
                    "Per-epoch history stored in the model file.");
            case MaximumEntropyPredictionTransformer { Summary: { } s }:
                return ([], string.Create(CultureInfo.InvariantCulture,
                    $"SDCA model files keep only the end of training: {s.Epochs} iterations, best at {s.BestEpoch}, primal loss {s.PrimalLoss:G5}, duality gap {s.DualityGap:G5}, {(s.Converged ? "converged" : "not converged")}. Train with `compare` to chart every iteration."));
            default:
                return ([], "The model file records no training history.");
        }
    }

    private static void Flatten(ITransformer model, List<ITransformer> stages)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var stage in chain)
                Flatten(stage, stages);
        }
        else
        {
            stages.Add(model);
        }
    }
}
