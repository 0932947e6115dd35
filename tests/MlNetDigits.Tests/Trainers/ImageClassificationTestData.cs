using Microsoft.ML.Transforms;

namespace MlNetDigits.Tests;

/// <summary>Small slices of the committed MNIST sample for fast CNN tests, and tiny architectures.</summary>
internal static class ImageClassificationTestData
{
    private static readonly string SampleFolder = Path.Combine(AppContext.BaseDirectory, "data", "sample");
    private static readonly Lazy<(float[] Pixels, uint[] Labels)> Train = new(() => ReadAll(DatasetSplit.Train));
    private static readonly Lazy<(float[] Pixels, uint[] Labels)> Test = new(() => ReadAll(DatasetSplit.Test));

    /// <summary>A tiny CNN body: 4 strided 5x5 filters (12x12 maps), then the trainer's dense head.</summary>
    public static readonly string[] TinyLayers = ["conv 4 5 stride=2", "relu", "flatten"];

    /// <summary>A tiny CNN with every random and stateful part: batch norm, dropout.</summary>
    public static readonly string[] TinyBatchNormLayers = ["conv 4 5 stride=2", "bn", "relu", "maxpool 2", "flatten", "dropout 0.2", "dense 16", "relu"];

    /// <summary>A row of the images: the digit (UInt32) and its raw pixels.</summary>
    public sealed class Row
    {
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }

    /// <summary>
    /// <paramref name="count"/> training (or test) images spread evenly over the sample (the same number per digit when
    /// count is a multiple of 10), as "Label" UInt32 and "Image" Vector&lt;Single, 28, 28&gt; — what LoadFromIdx gives.
    /// </summary>
    public static IDataView Images(int count, bool test = false) => ImagesFrom(Rows(count, test));

    /// <summary>A data view of <paramref name="rows"/> with the columns LoadFromIdx gives.</summary>
    public static IDataView ImagesFrom(IReadOnlyList<Row> rows) => new MLContext(1).Data.LoadFromEnumerable(rows, Definition());

    /// <summary><see cref="Images"/> with the label mapped to a key in digit order (key d + 1 is digit d), as trainers take it.</summary>
    public static IDataView Keyed(int count, bool test = false)
    {
        var ml = new MLContext(1);
        var images = Images(count, test);
        return KeyMapping(ml).Fit(images).Transform(images);
    }

    /// <summary>MapValueToKey("Label") by value, so key d + 1 is digit d.</summary>
    public static ValueToKeyMappingEstimator KeyMapping(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);

    /// <summary>The rows of <see cref="Images"/>.</summary>
    public static List<Row> Rows(int count, bool test = false)
    {
        var (pixels, labels) = test ? Test.Value : Train.Value;
        int total = labels.Length;
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            int row = (int)((long)i * total / count);
            rows.Add(new Row { Label = labels[row], Image = pixels.AsSpan(row * 784, 784).ToArray() });
        }
        return rows;
    }

    /// <summary>Options for a quick, single-threaded, seeded run of a tiny net.</summary>
    public static ImageClassificationTrainer.Options TinyOptions(int epochs = 2, string[]? layers = null) => new()
    {
        Layers = layers ?? TinyLayers,
        Epochs = epochs,
        BatchSize = 32,
        Optimizer = "adam",
        LearningRate = 3e-3,
        LearningRateSchedule = "none",
        Seed = 7,
        NumberOfThreads = 1,
        ValidationSetFraction = 0.2,
        ProgressInterval = 0,
        Augmentation = null,
    };

    /// <summary>A trainer for <paramref name="options"/> from a fresh MLContext.</summary>
    public static ImageClassificationTrainer Trainer(ImageClassificationTrainer.Options options, int contextSeed = 1) =>
        new MLContext(contextSeed).MulticlassClassification.Trainers.ImageClassification(options);

    /// <summary>The Score column (N, K) of <paramref name="scored"/>, row after row.</summary>
    public static float[] Scores(IDataView scored)
    {
        var column = scored.Schema["Score"];
        var values = new List<float>();
        using var cursor = scored.GetRowCursor([column]);
        var get = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> score = default;
        while (cursor.MoveNext())
        {
            get(ref score);
            values.AddRange(score.DenseValues());
        }
        return [.. values];
    }

    /// <summary>A scalar column of every row.</summary>
    public static T[] Column<T>(IDataView data, string name)
    {
        var column = data.Schema[name];
        var values = new List<T>();
        using var cursor = data.GetRowCursor([column]);
        var get = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            get(ref value);
            values.Add(value);
        }
        return [.. values];
    }

    private static SchemaDefinition Definition()
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 28, 28);
        return definition;
    }

    private static (float[] Pixels, uint[] Labels) ReadAll(DatasetSplit split)
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromIdxFolder(SampleFolder, split);
        var rows = ml.Data.CreateEnumerable<Row>(view, reuseRowObject: false).ToList();
        return ([.. rows.SelectMany(r => r.Image)], [.. rows.Select(r => r.Label)]);
    }
}
