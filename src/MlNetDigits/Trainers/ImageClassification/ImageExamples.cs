using System.Globalization;
using System.Numerics.Tensors;
using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Trainers.ImageClassification;

/// <summary>
/// Labelled images read once from a data view for the CNN trainer: pixels as given (raw, e.g. 0..255) in one array
/// (N, C, H, W), classes 0..K-1, and the label info. Rows whose key label is 0 (missing) are skipped.
/// </summary>
internal sealed class ImageExamples
{
    /// <summary>What the image column must be, for messages.</summary>
    public const string ExpectedImage = "a vector of Single with an ImageShape annotation (C, H, W), or a known-size Vector<Single, H, W>";

    private ImageExamples(float[] pixels, int[] labels, MulticlassLabelInfo label, (int C, int H, int W) shape, int skipped)
    {
        Pixels = pixels;
        Labels = labels;
        Label = label;
        Shape = shape;
        SkippedMissingLabels = skipped;
    }

    /// <summary>(N, C, H, W) pixel values as read.</summary>
    public float[] Pixels { get; }

    /// <summary>(N) classes 0..K-1.</summary>
    public int[] Labels { get; }

    public MulticlassLabelInfo Label { get; }

    public (int C, int H, int W) Shape { get; }

    public int SkippedMissingLabels { get; }

    public int Count => Labels.Length;

    public int ImageSize => Shape.C * Shape.H * Shape.W;

    /// <summary>The image shape (C, H, W) of column <paramref name="column"/>, or a <see cref="SchemaException"/>.</summary>
    public static (int C, int H, int W) ImageShapeOf(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single)
            throw new SchemaException(column.Name, ExpectedImage, column.Type.ToString());
        if (column.Annotations.GetImageShape() is { } shape)
        {
            if (shape.Channels * shape.Height * shape.Width != vector.Size || shape.Channels < 1)
                throw new SchemaException(column.Name, ExpectedImage, $"{column.Type} with ImageShape {shape} (which does not match its size)");
            return (shape.Channels, shape.Height, shape.Width);
        }
        if (vector.Dimensions.Length == 2)
            return (1, vector.Dimensions[0], vector.Dimensions[1]);
        throw new SchemaException(column.Name, ExpectedImage, $"{column.Type} without an ImageShape annotation");
    }

    /// <summary>
    /// Reads every row. With <paramref name="trainingLabel"/> given (a validation set), labels are checked against the
    /// training classes. Throws <see cref="SchemaException"/> for wrong columns and <see cref="InvalidOperationException"/>
    /// naming the row for bad values.
    /// </summary>
    public static ImageExamples Read(IDataView data, string labelColumnName, string imageColumnName, MulticlassLabelInfo? trainingLabel,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        MulticlassLabelInfo.CheckLabelColumn(schema, labelColumnName);
        var labelColumn = schema[labelColumnName];
        var imageColumn = schema.GetColumnOrNull(imageColumnName) ?? throw new SchemaException(imageColumnName, ExpectedImage, null);
        var shape = ImageShapeOf(imageColumn);
        int size = shape.C * shape.H * shape.W;
        var key = labelColumn.Type as KeyDataViewType;
        if (trainingLabel is not null && !labelColumn.Type.Equals(trainingLabel.LabelType))
            throw new SchemaException(labelColumnName, $"{trainingLabel.LabelType} (the training label's type)", labelColumn.Type.ToString(), "the validation set");

        var pixels = new List<float[]>();
        var labels = new List<int>();
        int skipped = 0;
        long row = -1, maxLabel = -1;
        using var cursor = data.GetRowCursor([labelColumn, imageColumn]);
        var readLabel = LabelReader(cursor, labelColumn);
        var readImage = cursor.GetGetter<VBuffer<float>>(imageColumn);
        VBuffer<float> image = default;
        // Rows are gathered in chunks of 1024 images so that 60,000 images need no repeated array growth.
        float[] chunk = new float[1024 * size];
        int inChunk = 0;
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
                if (value > (long)key.Count)
                    throw new InvalidOperationException($"Row {row}: label key {value} is outside the key's range 1..{key.Count}.");
                cls = (int)value - 1;
            }
            else
            {
                if (value < 0 || value >= 1_000_000)
                    throw new InvalidOperationException($"Row {row}: label {value} is not a class number; integer labels must be 0..999999 (class = value). Map other values to a key first.");
                cls = (int)value;
                if (trainingLabel is not null && cls >= trainingLabel.ClassCount)
                    throw new InvalidOperationException($"Row {row}: label {value} is not one of the {trainingLabel.ClassCount} classes seen in training (0..{trainingLabel.ClassCount - 1}).");
                maxLabel = Math.Max(maxLabel, value);
            }
            readImage(ref image);
            var values = image.GetValues();
            if (values.Length != size)
                throw new InvalidOperationException($"Row {row}: column '{imageColumnName}' holds {values.Length} values but its type {imageColumn.Type} declares {size}.");
            if (!TensorPrimitives.IsFiniteAll(values))
                throw new InvalidOperationException($"Row {row}: column '{imageColumnName}' holds a NaN or infinite pixel; pixels must be finite.");
            values.CopyTo(chunk.AsSpan(inChunk * size, size));
            if (++inChunk == 1024)
            {
                pixels.Add(chunk);
                chunk = new float[1024 * size];
                inChunk = 0;
            }
            labels.Add(cls);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (labels.Count == 0)
            throw new InvalidOperationException(row < 0
                ? "The data view is empty: there are no images to train on."
                : $"All {row + 1} rows have a missing label (key value 0): there are no images to train on.");

        var all = new float[(long)labels.Count * size > int.MaxValue ? throw new InvalidOperationException($"{labels.Count} images of {size} pixels do not fit in one array.") : labels.Count * size];
        int offset = 0;
        foreach (var full in pixels)
        {
            full.CopyTo(all, offset);
            offset += full.Length;
        }
        chunk.AsSpan(0, inChunk * size).CopyTo(all.AsSpan(offset));

        var info = trainingLabel ?? (key is not null
            ? MulticlassLabelInfo.ForKey(labelColumn)
            : MulticlassLabelInfo.ForInteger((NumberDataViewType)labelColumn.Type, (int)maxLabel + 1));
        if (info.ClassCount < 2)
            throw new InvalidOperationException($"Label column '{labelColumnName}' has only {info.ClassCount} class; classification needs at least two.");
        return new ImageExamples(all, [.. labels], info, shape, skipped);
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
