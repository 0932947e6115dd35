using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Training;

/// <summary>What scoring a test set gives: ML.NET's metrics with the extras, the most confident mistakes and the first images (for latency probes).</summary>
internal sealed record ScoredTestSet(
    ClassifierEvaluation Evaluation,
    IReadOnlyList<Misclassified> Gallery,
    IReadOnlyList<float[]> SampleImages,
    VectorDataViewType ImageType,
    int ImageHeight,
    int ImageWidth);

/// <summary>
/// Scores a test split with <c>model.Transform</c> and evaluates it with
/// <c>ml.MulticlassClassification.EvaluateDetailed</c> (ML.NET's metrics, calibration, F1 and the misclassified rows). The
/// scored Label, Score and PredictedLabel are cached, so the model runs once over the test set for both passes of the evaluation.
/// </summary>
internal static class TestSetScorer
{
    private const int SampleImageCount = 300;

    /// <param name="ml">The context to evaluate with.</param>
    /// <param name="model">The fitted model; it must read "Image" (and may read "Label").</param>
    /// <param name="modelName">The model (its file) in words, for errors.</param>
    /// <param name="test">The test split ("Label" UInt32, "Image" Single vector of known image shape, as LoadFromIdx gives).</param>
    /// <param name="galleryCount">How many mistakes to keep (the most confident ones).</param>
    /// <param name="cancellationToken">Checked before and after ML.NET's evaluation, and while the images are read.</param>
    /// <exception cref="InvalidModelException">The model cannot read the test data, or gives no class probabilities.</exception>
    public static ScoredTestSet Score(MLContext ml, ITransformer model, string modelName, IDataView test, int galleryCount, CancellationToken cancellationToken)
    {
        var imageColumn = test.Schema.GetColumnOrNull("Image");
        if (imageColumn is not { } column || column.Type is not VectorDataViewType imageType || ImageColumn.ShapeOf(column) is not var (_, height, width))
            throw new InvalidDataException($"The test data has no image column 'Image' of Single pixels with a known height and width (found {imageColumn?.Type.ToString() ?? "none"}).");

        DataViewSchema output;
        try
        {
            output = model.GetOutputSchema(test.Schema);
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelException($"The model {modelName} cannot score this data ({test.Schema["Image"].Type} images, UInt32 labels): {FirstLine(e.Message)}", e);
        }
        if (output.GetColumnOrNull("Score")?.Type is not VectorDataViewType { ItemType: var scoreItem } || scoreItem != NumberDataViewType.Single)
            throw new InvalidModelException($"The model {modelName} gives no 'Score' column of class probabilities (a Single vector); it is not a multiclass classifier.");
        if (output.GetColumnOrNull("Label")?.Type is not KeyDataViewType)
            throw new InvalidModelException($"The model {modelName} does not turn 'Label' into a key (MapValueToKey), so its scores cannot be evaluated against the labels.");

        // ML.NET's evaluation cannot be interrupted (MLContext.CancelExecution is internal), so Ctrl+C takes effect after it.
        cancellationToken.ThrowIfCancellationRequested();
        var hasOodScore = output.GetColumnOrNull(DigitClassifierOptions.Defaults.OodScoreColumnName)?.Type is VectorDataViewType { ItemType: var oodItem, Size: 1 } && oodItem == NumberDataViewType.Single;
        string[] cached = [.. new[] { "Label", "Score" }.Concat(output.GetColumnOrNull("PredictedLabel") is null ? [] : ["PredictedLabel"])
            .Concat(hasOodScore ? [DigitClassifierOptions.Defaults.OodScoreColumnName] : [])];
        var scored = ml.Data.Cache(model.Transform(test), cached);
        CheckProbabilities(scored, modelName, cancellationToken);
        var evaluation = ml.MulticlassClassification.EvaluateDetailed(scored);
        cancellationToken.ThrowIfCancellationRequested();

        var mistakes = evaluation.Misclassified.OrderByDescending(m => m.Top[0].Probability).ThenBy(m => m.Row).Take(galleryCount).ToList();
        var wanted = mistakes.Select(m => m.Row).Concat(Enumerable.Range(0, SampleImageCount).Select(i => (long)i)).ToHashSet();
        var images = ReadRows(test, test.Schema["Image"], wanted, image => image.DenseValues().ToArray(), cancellationToken);
        var oodScores = hasOodScore  // the model's out-of-distribution score: above 0, not digit-like
            ? ReadRows(scored, scored.Schema[DigitClassifierOptions.Defaults.OodScoreColumnName], [.. mistakes.Select(m => m.Row)], score => score.GetValues()[0], cancellationToken)
            : [];
        var gallery = mistakes.Select(m => new Misclassified(m.Row, m.TrueClass, m.PredictedClass, m.Top, images[m.Row])
        {
            NotADigitScore = oodScores.TryGetValue(m.Row, out var ood) ? ood : null,
        }).ToList();
        var samples = Enumerable.Range(0, SampleImageCount).Where(i => images.ContainsKey(i)).Select(i => images[i]).ToList();
        return new ScoredTestSet(evaluation, gallery, samples, imageType, height, width);
    }

    /// <summary>
    /// Refuses a model whose scores are not probabilities (finite, in 0..1): finite but overflowing weights give NaN, and
    /// ML.NET's evaluator would turn them into an accuracy of 0 and a log-loss of NaN instead of an error.
    /// </summary>
    /// <exception cref="InvalidModelException">A score of some test row is NaN, infinite or outside 0..1 (the message names the model and the row).</exception>
    private static void CheckProbabilities(IDataView scored, string modelName, CancellationToken cancellationToken)
    {
        var scoreColumn = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([scoreColumn]);
        var getScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
        VBuffer<float> score = default;
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 0xFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            getScore(ref score);
            foreach (var p in score.GetValues())
            {
                if (float.IsFinite(p) && p is >= -1e-6f and <= 1 + 1e-6f)
                    continue;
                var found = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the class probability {p} for test image {cursor.Position}");
                throw new InvalidModelException(
                    $"The model {modelName} gives {found}; probabilities must be finite numbers in 0..1. Its weights overflow or the file is " +
                    "damaged: it cannot be evaluated. Retrain it (with fewer epochs or a lower learning rate if training diverged) or use another model file.");
            }
        }
    }

    /// <summary>
    /// The values of the Single-vector <paramref name="column"/> in the rows in <paramref name="rows"/> (those the data has),
    /// as <paramref name="select"/> turns each into a result.
    /// </summary>
    private static Dictionary<long, T> ReadRows<T>(IDataView data, DataViewSchema.Column column, HashSet<long> rows, Func<VBuffer<float>, T> select,
        CancellationToken cancellationToken)
    {
        var values = new Dictionary<long, T>();
        if (rows.Count == 0)
            return values;
        var last = rows.Max();
        using var cursor = data.GetRowCursor([column]);
        var getValue = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        while (cursor.Position < last && cursor.MoveNext())
        {
            if ((cursor.Position & 0xFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            if (!rows.Contains(cursor.Position))
                continue;
            getValue(ref value);
            values[cursor.Position] = select(value);
        }
        return values;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
