using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Data.Idx;
using MlNetDigits.Trainers.ImageClassification;

namespace MlNetDigits.Tests.Trainers;

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

    /// <summary>
    /// <paramref name="count"/> training (or test) images spread evenly over the sample (the same number per digit when
    /// count is a multiple of 10), as "Label" UInt32 and "Image" Vector&lt;Single, 28, 28&gt; with ImageShape {1, 28, 28}.
    /// </summary>
    public static InMemoryDataView Images(int count, bool test = false)
    {
        var (pixels, labels) = test ? Test.Value : Train.Value;
        int total = labels.Length;
        var chosenPixels = new float[count * 784];
        var chosenLabels = new uint[count];
        for (int i = 0; i < count; i++)
        {
            int row = (int)((long)i * total / count);
            pixels.AsSpan(row * 784, 784).CopyTo(chosenPixels.AsSpan(i * 784));
            chosenLabels[i] = labels[row];
        }
        return new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, chosenLabels)
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 28, 28), chosenPixels, DataViewSchema.Annotations.Empty.WithImageShape(1, 28, 28))
            .Build();
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
        ValidationFraction = 0.2,
        ProgressInterval = 0,
        Augmentation = null,
    };

    /// <summary>The probabilities (N, K) of every row of <paramref name="data"/>'s "Image" column, scored as a batch.</summary>
    public static float[] Probabilities(ImageClassificationTransformer model, InMemoryDataView data)
    {
        var (images, _) = data.GetVectorColumn<float>("Image");
        var result = new float[data.RowCount * model.ClassCount];
        model.PredictProbabilitiesBatch(images.Span, result);
        return result;
    }

    private static (float[] Pixels, uint[] Labels) ReadAll(DatasetSplit split)
    {
        var view = new DigitsContext(1).Data.LoadFromIdxFolder(SampleFolder, split);
        var pixels = new List<float>();
        var labels = new List<uint>();
        using var cursor = view.GetRowCursor([view.Schema["Label"], view.Schema["Image"]]);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        var getImage = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
        uint label = 0;
        VBuffer<float> image = default;
        while (cursor.MoveNext())
        {
            getLabel(ref label);
            getImage(ref image);
            labels.Add(label);
            pixels.AddRange(image.GetValues().ToArray());
        }
        return ([.. pixels], [.. labels]);
    }
}

/// <summary>Calls back on the reporting thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
internal sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
