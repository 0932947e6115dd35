using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Training;

/// <summary>What a fitted model is, as far as its stages and the CNN's stored info tell.</summary>
/// <param name="Kind">"cnn", "sdca" or "model".</param>
/// <param name="Description">E.g. "CNN (preset best, 6 epochs, adamw)" or "SDCA maximum entropy".</param>
/// <param name="Curves">The curves the model carries (the CNN's per-epoch history).</param>
/// <param name="CurvesNote">What the curves are drawn from, or why there are none.</param>
/// <param name="Cnn">The CNN's stored info, when the model holds one.</param>
internal sealed record ModelSummary(string Kind, string Description, IReadOnlyList<TrainingCurve> Curves, string CurvesNote, CnnModelInfo? Cnn);

/// <summary>
/// Looks inside a fitted model, trained or loaded from a file: a CNN is recognised by its <see cref="CnnModelInfo"/> (which
/// a saved model keeps in its ONNX graph's metadata, history included), SDCA by ML.NET's maximum-entropy prediction stage.
/// </summary>
internal static class ModelInspector
{
    /// <summary>The stages of <paramref name="model"/> in order, chains flattened.</summary>
    public static List<ITransformer> Stages(ITransformer model)
    {
        var stages = new List<ITransformer>();
        Flatten(model, stages);
        return stages;
    }

    /// <summary>What <paramref name="model"/> is, and the training curves it carries.</summary>
    public static ModelSummary Inspect(ITransformer model)
    {
        var stages = Stages(model);
        if (stages.Any(s => s is MulticlassPredictionTransformer<MaximumEntropyModelParameters>))
            return new ModelSummary("sdca", "SDCA maximum entropy", [], "ML.NET's SDCA models record no training history.", null);
        // A chain just trained holds the CNN's transformer (with its info); a loaded one only ML.NET's OnnxTransformer,
        // whose graph's metadata CnnModelInfo.FromModel reads.
        var cnn = stages.OfType<ImageClassificationTransformer>().FirstOrDefault()?.Info ?? CnnModelInfo.FromModel(new MLContext(0), model);
        if (cnn is not null)
        {
            var (curves, note) = CurvesOf(cnn);
            return new ModelSummary("cnn", Describe(cnn), curves, note, cnn);
        }
        var last = stages.LastOrDefault(s => s.GetType().Name.Contains("Prediction", StringComparison.Ordinal)) ?? stages.LastOrDefault();
        return new ModelSummary("model", last is null ? "empty model" : TypeName(last.GetType()), [], "The model file records no training history.", null);
    }

    /// <summary>"CNN (preset fast, 1 epoch, sgd)" from the settings stored with the model; "CNN" when there are none.</summary>
    private static string Describe(CnnModelInfo cnn)
    {
        if (cnn.Settings is not { } s)
            return "CNN";
        var epochs = cnn.History.Count;
        return string.Create(CultureInfo.InvariantCulture, $"CNN (preset {s.Preset}, {epochs} epoch{(epochs == 1 ? "" : "s")}, {s.Optimizer})");
    }

    /// <summary>Loss and accuracy per epoch from the CNN's stored history (validation too when every epoch has it).</summary>
    private static (IReadOnlyList<TrainingCurve> Curves, string Note) CurvesOf(CnnModelInfo cnn)
    {
        var h = cnn.History;
        if (h.Count == 0)
            return ([], "The model records no training history.");
        var loss = new List<CurveSeries> { new("training (epoch mean)", [.. h.Select(e => new CurvePoint(e.Epoch, e.TrainingLoss))]) };
        var accuracy = new List<CurveSeries> { new("training (epoch mean)", [.. h.Select(e => new CurvePoint(e.Epoch, e.TrainingAccuracy))]) };
        if (h.All(e => e.ValidationLoss is not null && e.ValidationAccuracy is not null))
        {
            loss.Add(new("validation", [.. h.Select(e => new CurvePoint(e.Epoch, e.ValidationLoss!.Value))]));
            accuracy.Add(new("validation", [.. h.Select(e => new CurvePoint(e.Epoch, e.ValidationAccuracy!.Value))]));
        }
        return ([new TrainingCurve("Loss", "epoch", "cross-entropy", loss), new TrainingCurve("Accuracy", "epoch", "accuracy", accuracy)],
            "Per-epoch history stored in the model file.");
    }

    /// <summary>"MulticlassPredictionTransformer&lt;NaiveBayesMulticlassModelParameters&gt;" rather than "MulticlassPredictionTransformer`1".</summary>
    private static string TypeName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;

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
