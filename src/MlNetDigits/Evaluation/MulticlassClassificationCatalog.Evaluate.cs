using System.Globalization;
using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Evaluation;

public sealed partial class MulticlassClassificationCatalog
{
    /// <summary>
    /// Evaluates scored data in one pass, as ML.NET's <c>MulticlassClassification.Evaluate</c>: the predicted class of a
    /// row is the arg-max of its scores (ties to the lower class), and rows with a missing label (key 0, NaN), a negative
    /// or fractional label, or a non-finite score are skipped.
    /// </summary>
    /// <param name="data">Scored data, e.g. the output of a trained model's <c>Transform</c>.</param>
    /// <param name="labelColumnName">The true class: a key (1..K; 0 = missing) or a number (class = value, 0..K-1).</param>
    /// <param name="scoreColumnName">The class probabilities: Vector&lt;Single, K&gt;; its SlotNames name the classes.</param>
    /// <param name="predictedLabelColumnName">The predicted class column; it must exist (as in ML.NET) and be a key or a number.</param>
    /// <param name="topKPredictionCount">When positive, also compute top-k accuracy for k = 1..this.</param>
    /// <exception cref="SchemaException">A column is missing or has the wrong type.</exception>
    public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", int topKPredictionCount = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(topKPredictionCount);
        var schema = data.Schema;

        const string labelExpected = "a key or a number (the true class)";
        var label = schema.GetColumnOrNull(labelColumnName) ?? throw new SchemaException(labelColumnName, labelExpected, null, "evaluation");
        if (label.Type is not (KeyDataViewType or NumberDataViewType))
            throw new SchemaException(labelColumnName, labelExpected, label.Type.ToString(), "evaluation");

        const string scoreExpected = "Vector<Single, K> (the class probabilities)";
        var score = schema.GetColumnOrNull(scoreColumnName) ?? throw new SchemaException(scoreColumnName, scoreExpected, null, "evaluation");
        if (score.Type is not VectorDataViewType scoreType || scoreType.ItemType != NumberDataViewType.Single)
            throw new SchemaException(scoreColumnName, scoreExpected, score.Type.ToString(), "evaluation");

        const string predictedExpected = "a key or a number (the predicted class)";
        var predicted = schema.GetColumnOrNull(predictedLabelColumnName)
            ?? throw new SchemaException(predictedLabelColumnName, predictedExpected, null, "evaluation");
        if (predicted.Type is not (KeyDataViewType or NumberDataViewType))
            throw new SchemaException(predictedLabelColumnName, predictedExpected, predicted.Type.ToString(), "evaluation");

        var classes = scoreType.Size;
        var aggregator = new MulticlassMetricsAggregator(classes, topKPredictionCount);
        using (var cursor = data.GetRowCursor([label, score]))
        {
            var getLabel = MakeClassGetter(cursor, label);
            var getScores = cursor.GetGetter<VBuffer<float>>(score);
            var scores = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                var c = getLabel();
                if (c < 0)
                {
                    aggregator.Skip();
                    continue;
                }
                getScores(ref scores);
                if (scores.Length != classes)
                    throw new InvalidOperationException($"Column '{score.Name}' gave a vector of {scores.Length} scores where its type promises {classes}.");
                aggregator.Add(c, scores.GetValues());
            }
        }
        return aggregator.ToMetrics(GetClassNames(score, label, classes));
    }

    /// <summary>A reader of the row's 0-based class, or -1 when the label is missing, negative or fractional.</summary>
    private static Func<long> MakeClassGetter(DataViewRow row, DataViewSchema.Column label)
    {
        switch (label.Type)
        {
            case KeyDataViewType:
                {
                    var get = row.GetGetter<uint>(label);
                    uint v = 0;
                    return () => { get(ref v); return v == 0 ? -1 : v - 1L; };
                }
            case NumberDataViewType n when n.RawType == typeof(byte):
                {
                    var get = row.GetGetter<byte>(label);
                    byte v = 0;
                    return () => { get(ref v); return v; };
                }
            case NumberDataViewType n when n.RawType == typeof(int):
                {
                    var get = row.GetGetter<int>(label);
                    int v = 0;
                    return () => { get(ref v); return v < 0 ? -1 : v; };
                }
            case NumberDataViewType n when n.RawType == typeof(uint):
                {
                    var get = row.GetGetter<uint>(label);
                    uint v = 0;
                    return () => { get(ref v); return v; };
                }
            case NumberDataViewType n when n.RawType == typeof(long):
                {
                    var get = row.GetGetter<long>(label);
                    long v = 0;
                    return () => { get(ref v); return v < 0 ? -1 : v; };
                }
            case NumberDataViewType n when n.RawType == typeof(float):
                {
                    var get = row.GetGetter<float>(label);
                    float v = 0;
                    return () => { get(ref v); return ToClass(v); };
                }
            case NumberDataViewType n when n.RawType == typeof(double):
                {
                    var get = row.GetGetter<double>(label);
                    double v = 0;
                    return () => { get(ref v); return ToClass(v); };
                }
            default:
                throw new SchemaException(label.Name, "a key or a number (the true class)", label.Type.ToString(), "evaluation");
        }
    }

    private static long ToClass(double v) => double.IsNaN(v) || v < 0 || v != Math.Floor(v) || v > int.MaxValue ? -1 : (long)v;

    /// <summary>Class names from the score column's SlotNames, else the label's KeyValues, else "0".."K-1".</summary>
    private static string[] GetClassNames(DataViewSchema.Column score, DataViewSchema.Column label, int classes)
    {
        if (score.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var slotNames) && slotNames.Length == classes)
            return slotNames.ToArray();
        if (label.Type is KeyDataViewType && TryGetKeyValueNames(label.Annotations, out var keyNames) && keyNames.Length == classes)
            return keyNames;
        return [.. Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }

    private static bool TryGetKeyValueNames(DataViewSchema.Annotations annotations, out string[] names)
    {
        var inv = CultureInfo.InvariantCulture;
        names = annotations.GetTypeOrNull(AnnotationKinds.KeyValues) is not VectorDataViewType ? [] :
            annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.KeyValues, out var s) ? s.ToArray() :
            annotations.TryGetValue<VBuffer<uint>>(AnnotationKinds.KeyValues, out var u) ? [.. u.ToArray().Select(x => x.ToString(inv))] :
            annotations.TryGetValue<VBuffer<int>>(AnnotationKinds.KeyValues, out var i) ? [.. i.ToArray().Select(x => x.ToString(inv))] :
            annotations.TryGetValue<VBuffer<byte>>(AnnotationKinds.KeyValues, out var b) ? [.. b.ToArray().Select(x => x.ToString(inv))] :
            annotations.TryGetValue<VBuffer<long>>(AnnotationKinds.KeyValues, out var l) ? [.. l.ToArray().Select(x => x.ToString(inv))] :
            annotations.TryGetValue<VBuffer<float>>(AnnotationKinds.KeyValues, out var f) ? [.. f.ToArray().Select(x => x.ToString(inv))] :
            annotations.TryGetValue<VBuffer<double>>(AnnotationKinds.KeyValues, out var d) ? [.. d.ToArray().Select(x => x.ToString(inv))] :
            annotations.TryGetValue<VBuffer<bool>>(AnnotationKinds.KeyValues, out var t) ? [.. t.ToArray().Select(x => x.ToString())] :
            [];
        return names.Length > 0;
    }
}
