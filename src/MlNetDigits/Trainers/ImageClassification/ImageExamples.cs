using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// Labelled images read once from a data view for the CNN trainer: pixels as given (raw, e.g. 0..255) in one array
/// (N, C, H, W) and classes 0..K-1 (key value minus one). Rows whose key label is 0 (missing) are skipped.
/// </summary>
internal sealed class ImageExamples
{
    /// <summary>What the image column must be, for messages.</summary>
    public const string ExpectedImage = "a known-size vector of Single holding images: with an ImageShape annotation (as LoadFromIdx gives), dimensions (H, W) or (C, H, W), or a square number of values (one channel)";

    /// <summary>What the label column must be, for messages.</summary>
    public const string ExpectedLabel = "a UInt32 key with at least two values (map the label with mlContext.Transforms.Conversion.MapValueToKey)";

    private ImageExamples(float[] pixels, int[] labels, DataViewSchema.Column label, (int C, int H, int W) shape, int skipped)
    {
        Pixels = pixels;
        Labels = labels;
        LabelColumn = label;
        Shape = shape;
        SkippedMissingLabels = skipped;
    }

    /// <summary>(N, C, H, W) pixel values as read.</summary>
    public float[] Pixels { get; }

    /// <summary>(N) classes 0..K-1.</summary>
    public int[] Labels { get; }

    /// <summary>The label column (a key), whose type and annotations the model's PredictedLabel takes.</summary>
    public DataViewSchema.Column LabelColumn { get; }

    /// <summary>The number of classes K (the key's count).</summary>
    public int ClassCount => (int)((KeyDataViewType)LabelColumn.Type).Count;

    public (int C, int H, int W) Shape { get; }

    public int SkippedMissingLabels { get; }

    public int Count => Labels.Length;

    public int ImageSize => Shape.C * Shape.H * Shape.W;

    /// <summary>
    /// The image shape (C, H, W) of a column: its ImageShape annotation (what LoadFromIdx records), else its dimensions
    /// (H, W) or (C, H, W), else a square one-channel image when the vector has a square number of values (784 is 28x28);
    /// null when it cannot hold images.
    /// </summary>
    public static (int C, int H, int W)? ImageShapeOf(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType { ItemType: var item, IsKnownSize: true } vector || item != NumberDataViewType.Single)
            return null;
        if (column.Annotations.Schema.GetColumnOrNull(IdxDataView.ImageShapeAnnotation) is { Type: VectorDataViewType { Size: 3, ItemType: var t } } annotation
            && t == NumberDataViewType.Int32)
        {
            VBuffer<int> shape = default;
            column.Annotations.GetValue(IdxDataView.ImageShapeAnnotation, ref shape);
            var s = shape.DenseValues().ToArray();
            return s.All(d => d > 0) && (long)s[0] * s[1] * s[2] == vector.Size ? (s[0], s[1], s[2]) : null;
        }
        var d = vector.Dimensions;
        if (d.Length == 2)
            return (1, d[0], d[1]);
        if (d.Length == 3)
            return (d[0], d[1], d[2]);
        int side = (int)Math.Round(Math.Sqrt(vector.Size));
        return side * side == vector.Size ? (1, side, side) : null;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (ML.NET's schema-mismatch exception type) unless the columns fit.</summary>
    public static (DataViewSchema.Column Label, DataViewSchema.Column Image, (int C, int H, int W) Shape) CheckSchema(DataViewSchema schema,
        string labelColumnName, string imageColumnName, string what = "the training data")
    {
        var label = schema.GetColumnOrNull(labelColumnName)
            ?? throw SchemaError(labelColumnName, ExpectedLabel, null, what);
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint) || key.Count is < 2 or > 100_000)
            throw SchemaError(labelColumnName, ExpectedLabel, label.Type.ToString(), what);
        var image = schema.GetColumnOrNull(imageColumnName)
            ?? throw SchemaError(imageColumnName, ExpectedImage, null, what);
        var shape = ImageShapeOf(image) ?? throw SchemaError(imageColumnName, ExpectedImage, image.Type.ToString(), what);
        return (label, image, shape);
    }

    /// <summary>The exception ML.NET throws for a schema mismatch, with a message that says what was expected and found.</summary>
    public static ArgumentOutOfRangeException SchemaError(string column, string expected, string? found, string what) =>
        new("inputSchema", found is null
            ? $"Column '{column}' is not in {what}; expected {expected}."
            : $"Column '{column}' of {what} is {found}; expected {expected}.");

    /// <summary>
    /// Reads every row. With <paramref name="trainingLabel"/> given (a validation set), the label must be the same key type.
    /// Throws <see cref="InvalidOperationException"/> naming the row for bad values.
    /// </summary>
    public static ImageExamples Read(IDataView data, string labelColumnName, string imageColumnName, DataViewSchema.Column? trainingLabel,
        CancellationToken cancellationToken, string what = "the training data")
    {
        ArgumentNullException.ThrowIfNull(data);
        var (labelColumn, imageColumn, shape) = CheckSchema(data.Schema, labelColumnName, imageColumnName, what);
        var key = (KeyDataViewType)labelColumn.Type;
        if (trainingLabel is { } t && !labelColumn.Type.Equals(t.Type))
            throw SchemaError(labelColumnName, $"{t.Type} (the training label's key)", labelColumn.Type.ToString(), what);
        int size = shape.C * shape.H * shape.W;

        // When the data view knows its row count (IDX files, cached views), the pixels go straight into one array of
        // that size; otherwise they are gathered in chunks of 1024 images and joined at the end, which holds them twice
        // for a moment (for MNIST, 188 MB more at the peak of a training run).
        long? knownRows = data.GetRowCount();
        if (knownRows is { } known && known * size > Array.MaxLength)
            throw new InvalidOperationException($"{known} images of {size} pixels do not fit in one array.");
        float[]? direct = knownRows is { } k ? GC.AllocateUninitializedArray<float>((int)(k * size)) : null;
        var chunks = new List<float[]>();
        var labels = new List<int>(knownRows is { } capacity ? (int)capacity : 0);
        int skipped = 0;
        long row = -1;
        using var cursor = data.GetRowCursor([labelColumn, imageColumn]);
        var readLabel = cursor.GetGetter<uint>(labelColumn);
        var readImage = cursor.GetGetter<VBuffer<float>>(imageColumn);
        VBuffer<float> image = default;
        uint value = 0;
        const int chunkRows = 1024;
        float[] chunk = direct ?? new float[chunkRows * size];
        int inChunk = 0;
        while (cursor.MoveNext())
        {
            row++;
            if ((row & 1023) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            readLabel(ref value);
            if (value == 0)
            {
                skipped++;
                continue;
            }
            if (value > key.Count)
                throw new InvalidOperationException($"Row {row} of {what}: label key {value} is outside the key's range 1..{key.Count}.");
            readImage(ref image);
            if (image.Length != size)
                throw new InvalidOperationException($"Row {row} of {what}: column '{imageColumnName}' holds {image.Length} values but its type {imageColumn.Type} declares {size}.");
            if (direct is not null && (long)(labels.Count + 1) * size > direct.Length)
                throw new InvalidOperationException($"{Capitalised(what)} gave more rows than the {knownRows} its row count declared.");
            var destination = chunk.AsSpan((direct is null ? inChunk : labels.Count) * size, size);
            image.CopyTo(destination);
            if (!TensorPrimitives.IsFiniteAll<float>(destination))
                throw new InvalidOperationException($"Row {row} of {what}: column '{imageColumnName}' holds a NaN or infinite pixel; pixels must be finite.");
            labels.Add((int)value - 1);
            if (direct is null && ++inChunk == chunkRows)
            {
                chunks.Add(chunk);
                chunk = new float[chunkRows * size];
                inChunk = 0;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (labels.Count == 0)
            throw new InvalidOperationException(row < 0
                ? $"{Capitalised(what)} is empty: there are no images to train on."
                : $"All {row + 1} rows of {what} have a missing label (key value 0): there are no images to train on.");

        float[] all;
        if (direct is not null)
        {
            // Rows without a label leave the end of the array unused: trim it (a copy, only then).
            all = labels.Count * size == direct.Length ? direct : direct.AsSpan(0, labels.Count * size).ToArray();
        }
        else
        {
            if ((long)labels.Count * size > Array.MaxLength)
                throw new InvalidOperationException($"{labels.Count} images of {size} pixels do not fit in one array.");
            all = GC.AllocateUninitializedArray<float>(labels.Count * size);
            int offset = 0;
            foreach (var full in chunks)
            {
                full.CopyTo(all, offset);
                offset += full.Length;
            }
            chunk.AsSpan(0, inChunk * size).CopyTo(all.AsSpan(offset));
        }
        return new ImageExamples(all, [.. labels], labelColumn, shape, skipped);
    }

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
