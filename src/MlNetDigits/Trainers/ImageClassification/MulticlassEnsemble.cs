using MlNetDigits.Model;

namespace MlNetDigits.Trainers.ImageClassification;

/// <summary>
/// Several trained multiclass models combined by averaging their class probabilities: Score = mean over models of each
/// model's Score, PredictedLabel its arg-max. It has the same input and output columns as its members, so it goes
/// wherever one model goes (Transform, Evaluate, prediction engines, model files). Members must read the same feature
/// column and size and have the same classes.
/// </summary>
[ModelStage("MulticlassEnsemble")]
public sealed class MulticlassEnsemble : MulticlassPredictionTransformer
{
    private readonly MulticlassPredictionTransformer[] _models;

    /// <summary>Combines <paramref name="models"/> (at least one) by averaging probabilities.</summary>
    public MulticlassEnsemble(IEnumerable<MulticlassPredictionTransformer> models)
        : this(Check(models))
    {
    }

    private MulticlassEnsemble(MulticlassPredictionTransformer[] models)
        : base(models[0].FeatureColumnName, models[0].FeatureCount, models[0].Label)
    {
        _models = models;
    }

    /// <summary>The combined models.</summary>
    public IReadOnlyList<MulticlassPredictionTransformer> Models => _models;

    protected override void Score(ReadOnlySpan<float> features, Span<float> probabilities) =>
        ScoreBatchCore(features, 1, probabilities);

    protected override void ScoreBatchCore(ReadOnlySpan<float> features, int count, Span<float> probabilities)
    {
        // probabilities: (count, K) = mean over models of each model's (count, K)
        var one = new float[count * ClassCount];
        probabilities[..(count * ClassCount)].Clear();
        foreach (var model in _models)
        {
            model.PredictProbabilitiesBatch(features[..(count * FeatureCount)], one);
            System.Numerics.Tensors.TensorPrimitives.Add(probabilities[..one.Length], one, probabilities[..one.Length]);
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(probabilities[..one.Length], 1f / _models.Length, probabilities[..one.Length]);
    }

    public override void Save(ModelSaveContext context)
    {
        SavePrediction(context);
        context.WriteJson("ensemble.json", new Stored(_models.Length));
        for (int i = 0; i < _models.Length; i++)
            context.SaveStage($"model{i}", _models[i]);
    }

    /// <summary>Reads an ensemble written by <see cref="Save"/>.</summary>
    public static MulticlassEnsemble Load(ModelLoadContext context)
    {
        var stored = context.ReadJson<Stored>("ensemble.json");
        if (stored.Count is < 1 or > 1000)
            throw new InvalidModelException($"Model entry '{context.Folder}/ensemble.json' has an invalid model count {stored.Count}.");
        var models = new MulticlassPredictionTransformer[stored.Count];
        for (int i = 0; i < models.Length; i++)
            models[i] = context.LoadStage($"model{i}") as MulticlassPredictionTransformer
                ?? throw new InvalidModelException($"Model stage '{context.Folder}/model{i}' is not a multiclass model.");
        try
        {
            return new MulticlassEnsemble(models);
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelException($"Model stage '{context.Folder}': {e.Message}");
        }
    }

    private static MulticlassPredictionTransformer[] Check(IEnumerable<MulticlassPredictionTransformer> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var list = models.ToArray();
        if (list.Length == 0)
            throw new ArgumentException("An ensemble needs at least one model.", nameof(models));
        var first = list[0];
        for (int i = 1; i < list.Length; i++)
        {
            var m = list[i];
            if (m.FeatureColumnName != first.FeatureColumnName || m.FeatureCount != first.FeatureCount)
                throw new ArgumentException($"Model {i} reads '{m.FeatureColumnName}' ({m.FeatureCount} values) but model 0 reads '{first.FeatureColumnName}' ({first.FeatureCount}); ensemble members must read the same column.", nameof(models));
            if (m.ClassCount != first.ClassCount || !m.Label.LabelType.Equals(first.Label.LabelType) || !m.Label.ClassNames.SequenceEqual(first.Label.ClassNames))
                throw new ArgumentException($"Model {i} predicts classes [{string.Join(", ", m.Label.ClassNames)}] ({m.Label.LabelType}) but model 0 predicts [{string.Join(", ", first.Label.ClassNames)}] ({first.Label.LabelType}); ensemble members must share their classes.", nameof(models));
        }
        return list;
    }

    private sealed record Stored(int Count);
}
