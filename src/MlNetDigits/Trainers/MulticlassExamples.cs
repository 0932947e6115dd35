using System.Globalization;
using System.Numerics.Tensors;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Engine.Sdca;

namespace MlNetDigits.Trainers;

/// <summary>
/// Training examples read once from a data view for a multiclass trainer: features compressed into <see cref="SparseRows"/>,
/// labels as classes 0..K-1, optional example weights, and the label info. Every row is checked: the label must be a class
/// (a key's 0, "missing", skips the row), features finite and of the declared size, weights finite and not negative.
/// </summary>
public sealed class MulticlassExamples
{
    private MulticlassExamples(SparseRows features, int[] labels, float[]? weights, MulticlassLabelInfo label, int skipped)
    {
        Features = features;
        Labels = labels;
        Weights = weights;
        Label = label;
        SkippedMissingLabels = skipped;
    }

    /// <summary>The feature vectors: (Count, FeatureCount), zeros dropped.</summary>
    public SparseRows Features { get; }

    /// <summary>The class of each example, 0..K-1.</summary>
    public int[] Labels { get; }

    /// <summary>The weight of each example, or null when no weight column was given.</summary>
    public float[]? Weights { get; }

    public MulticlassLabelInfo Label { get; }

    /// <summary>Rows left out because their key label was 0 (missing).</summary>
    public int SkippedMissingLabels { get; }

    public int Count => Labels.Length;

    /// <summary>
    /// Checks the schema (throwing <see cref="SchemaException"/>), then reads every row of <paramref name="data"/>. Throws
    /// <see cref="InvalidOperationException"/> naming the row for a bad value, and when no row is left to train on.
    /// </summary>
    public static MulticlassExamples Read(IDataView data, string labelColumnName, string featureColumnName, string? weightColumnName,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        MulticlassLabelInfo.CheckLabelColumn(schema, labelColumnName);
        var labelColumn = schema[labelColumnName];
        var featureColumn = schema.GetColumnOrNull(featureColumnName)
            ?? throw new SchemaException(featureColumnName, "a known-size vector of Single", null);
        if (featureColumn.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single)
            throw new SchemaException(featureColumnName, "a known-size vector of Single", featureColumn.Type.ToString());
        DataViewSchema.Column? weightColumn = null;
        if (weightColumnName is not null)
        {
            weightColumn = schema.GetColumnOrNull(weightColumnName) ?? throw new SchemaException(weightColumnName, "Single", null);
            if (weightColumn.Type != NumberDataViewType.Single)
                throw new SchemaException(weightColumnName, "Single", weightColumn.Type.ToString());
        }

        int size = vector.Size;
        var builder = new SparseRows.Builder(size);
        var labels = new List<int>();
        var weights = weightColumn is null ? null : new List<float>();
        var key = labelColumn.Type as KeyDataViewType;
        int keyCount = key is null ? 0 : (int)Math.Min(key.Count, int.MaxValue);
        long maxLabel = -1;
        int skipped = 0;
        long row = -1;
        var needed = new List<DataViewSchema.Column> { labelColumn, featureColumn };
        if (weightColumn is not null)
            needed.Add(weightColumn);
        using var cursor = data.GetRowCursor(needed);
        var readLabel = LabelReader(cursor, labelColumn);
        var readFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        var readWeight = weightColumn is null ? null : cursor.GetGetter<float>(weightColumn);
        VBuffer<float> features = default;
        while (cursor.MoveNext())
        {
            row++;
            if ((row & 1023) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            long value = readLabel();
            int cls;
            if (key is not null)
            {
                if (value == 0)
                {
                    skipped++;
                    continue;
                }
                if (value > keyCount)
                    throw new InvalidOperationException($"Row {row}: label key {value} is outside the key's range 1..{keyCount}.");
                cls = (int)value - 1;
            }
            else
            {
                if (value < 0 || value >= 1_000_000)
                    throw new InvalidOperationException(
                        $"Row {row}: label {value} is not a class number; integer labels must be 0..999999 (class = value). Map other values to a key first.");
                cls = (int)value;
                maxLabel = Math.Max(maxLabel, value);
            }

            readFeatures(ref features);
            var values = features.GetValues();
            if (values.Length != size)
                throw new InvalidOperationException(
                    $"Row {row}: column '{featureColumnName}' holds {values.Length} values but its type {featureColumn.Type} declares {size}.");
            if (!TensorPrimitives.IsFiniteAll(values))
            {
                int at = 0;
                while (float.IsFinite(values[at]))
                    at++;
                throw new InvalidOperationException(
                    $"Row {row}: feature {at} of column '{featureColumnName}' is {values[at].ToString(CultureInfo.InvariantCulture)}; features must be finite. Remove or impute such rows before training.");
            }
            if (readWeight is not null)
            {
                float w = 0;
                readWeight(ref w);
                if (!float.IsFinite(w) || w < 0)
                    throw new InvalidOperationException($"Row {row}: example weight {w.ToString(CultureInfo.InvariantCulture)} in column '{weightColumnName}' must be finite and not negative.");
                weights!.Add(w);
            }
            builder.AddRow(values);
            labels.Add(cls);
        }
        cancellationToken.ThrowIfCancellationRequested();

        if (labels.Count == 0)
        {
            throw new InvalidOperationException(row < 0
                ? "The training data view is empty: there is nothing to train on."
                : $"All {row + 1} training rows have a missing label (key value 0): there is nothing to train on.");
        }
        var info = key is not null
            ? MulticlassLabelInfo.ForKey(labelColumn)
            : MulticlassLabelInfo.ForInteger((NumberDataViewType)labelColumn.Type, (int)maxLabel + 1);
        if (info.ClassCount < 2)
            throw new InvalidOperationException(
                $"Label column '{labelColumnName}' has only {info.ClassCount} class; multiclass training needs at least two.");
        return new MulticlassExamples(builder.Build(), [.. labels], weights?.ToArray(), info, skipped);
    }

    /// <summary>A reader of the label as a long, whatever its (key or integer) raw type.</summary>
    private static Func<long> LabelReader(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(uint))
        {
            var get = row.GetGetter<uint>(column);
            uint v = 0;
            return () => { get(ref v); return v; };
        }
        if (raw == typeof(int))
        {
            var get = row.GetGetter<int>(column);
            int v = 0;
            return () => { get(ref v); return v; };
        }
        if (raw == typeof(long))
        {
            var get = row.GetGetter<long>(column);
            long v = 0;
            return () => { get(ref v); return v; };
        }
        if (raw == typeof(byte))
        {
            var get = row.GetGetter<byte>(column);
            byte v = 0;
            return () => { get(ref v); return v; };
        }
        throw new SchemaException(column.Name, MulticlassLabelInfo.Expected, column.Type.ToString());
    }
}
