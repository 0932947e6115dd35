using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>Evaluation extras on ML.NET's multiclass catalog and metrics: calibration, F1, misclassified rows.</summary>
public static class MulticlassEvaluationExtensions
{
    /// <summary>Per-class F1 = 2PR / (P + R) from ML.NET's confusion matrix, in key order (0 when P + R = 0).</summary>
    public static IReadOnlyList<double> PerClassF1(this ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var f1 = new double[matrix.NumberOfClasses];
        for (int c = 0; c < f1.Length; c++)
        {
            double p = matrix.PerClassPrecision[c], r = matrix.PerClassRecall[c];
            f1[c] = p + r > 0 ? 2 * p * r / (p + r) : 0;
        }
        return f1;
    }

    /// <summary>
    /// Evaluates <paramref name="scored"/> (the output of a multiclass model's Transform) with ML.NET's evaluator and, in
    /// one more pass, measures calibration and collects the misclassified rows. The label must be a key (as the model
    /// was trained on) and Score a vector of class probabilities.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type (the message names it).</exception>
    public static ClassifierEvaluation EvaluateDetailed(this MulticlassClassificationCatalog catalog, IDataView scored,
        string labelColumnName = ColumnNames.Label, string scoreColumnName = ColumnNames.Score,
        string predictedLabelColumnName = ColumnNames.PredictedLabel, int topKPredictionCount = 0,
        int calibrationBins = CalibrationMetrics.DefaultBinCount)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(scored);
        var label = scored.Schema.GetColumnOrNull(labelColumnName)
            ?? throw new ArgumentException($"The scored data has no label column '{labelColumnName}' (columns: {Names(scored.Schema)}).", nameof(labelColumnName));
        var score = scored.Schema.GetColumnOrNull(scoreColumnName)
            ?? throw new ArgumentException($"The scored data has no score column '{scoreColumnName}' (columns: {Names(scored.Schema)}). Pass the output of model.Transform(data).", nameof(scoreColumnName));
        if (label.Type is not KeyDataViewType { RawType: var raw } key || raw != typeof(uint))
            throw new ArgumentException($"Label column '{labelColumnName}' is {label.Type}; it must be a UInt32 key as the model was trained on (MapValueToKey).", nameof(labelColumnName));
        if (score.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != (int)key.Count)
            throw new ArgumentException($"Score column '{scoreColumnName}' is {score.Type}; it must be a vector of {key.Count} Singles (one probability per class).", nameof(scoreColumnName));

        var metrics = catalog.Evaluate(scored, labelColumnName, scoreColumnName, predictedLabelColumnName, topKPredictionCount);
        var calibration = new CalibrationAccumulator(calibrationBins);
        var misclassified = new List<Misclassification>();
        using (var cursor = scored.GetRowCursor([label, score]))
        {
            var getLabel = cursor.GetGetter<uint>(label);
            var getScore = cursor.GetGetter<VBuffer<float>>(score);
            uint y = 0;
            VBuffer<float> s = default;
            var dense = new float[size];
            long row = -1;
            while (cursor.MoveNext())
            {
                row++;
                getLabel(ref y);
                if (y == 0)
                    continue; // a missing label, skipped as ML.NET's evaluator skips it
                getScore(ref s);
                s.CopyTo(dense);
                int truth = (int)y - 1, predicted = TensorPrimitives.IndexOfMax<float>(dense);
                calibration.Add(dense, truth);
                if (predicted != truth)
                    misclassified.Add(new Misclassification(row, truth, predicted, Top(dense, 3)));
            }
        }
        return new ClassifierEvaluation(metrics, calibration.ToMetrics(), ClassNames.Of(label), misclassified);
    }

    private static (int, float)[] Top(float[] probabilities, int count) =>
        [.. probabilities.Select((p, c) => (c, p)).OrderByDescending(t => t.p).ThenBy(t => t.c).Take(count)];

    private static string Names(DataViewSchema schema) => string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));
}
