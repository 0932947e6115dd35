using MlNetDigits.Cli.Reports;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Evaluation;
using MlNetDigits.Trainers;

namespace MlNetDigits.Cli.Training;

/// <summary>What scoring a test set gives: the metrics, the most confident mistakes and the first images (for latency probes).</summary>
internal sealed record ScoredTestSet(
    MulticlassClassificationMetrics Metrics,
    IReadOnlyList<Misclassified> Misclassified,
    long MisclassifiedCount,
    IReadOnlyList<float[]> SampleImages,
    int ImageHeight,
    int ImageWidth);

/// <summary>
/// Scores a test split in one pass and evaluates it with <c>context.MulticlassClassification.Evaluate</c>. When the model
/// ends in a multiclass classifier the images are scored in batches (<see cref="MulticlassPredictionTransformer.PredictProbabilitiesBatch"/>,
/// much faster for the CNN than row by row); any other model is scored through its <c>Transform</c>.
/// </summary>
internal static class TestSetScorer
{
    private const int Chunk = 500;
    private const int SampleImageCount = 300;

    /// <param name="context">The context to evaluate with.</param>
    /// <param name="model">The fitted model; it must read "Image" (and may read "Label").</param>
    /// <param name="test">The test split ("Label" UInt32, "Image" vector with an ImageShape).</param>
    /// <param name="galleryCount">How many mistakes to keep (the most confident ones).</param>
    /// <param name="cancellationToken">Stops between chunks.</param>
    /// <exception cref="SchemaException">The model cannot read the test data.</exception>
    public static ScoredTestSet Score(DigitsContext context, ITransformer model, IDataView test, int galleryCount, CancellationToken cancellationToken)
    {
        var outputSchema = model.GetOutputSchema(test.Schema); // throws SchemaException when the model does not fit the data
        var scoreColumn = outputSchema.GetColumnOrNull("Score");
        if (scoreColumn?.Type is not VectorDataViewType { ItemType: NumberDataViewType s } scoreType || s != NumberDataViewType.Single)
            throw new SchemaException("Score", "Vector<Single, K> (class probabilities)", scoreColumn?.Type.ToString(), "evaluation");
        int classes = scoreType.Size;
        var shape = test.Schema["Image"].Annotations.GetImageShape() ?? (1, 28, 28);

        var stages = ModelInspector.Stages(model);
        var classifier = stages.Count > 0 ? stages[^1] as MulticlassPredictionTransformer : null;
        uint[] labels;
        float[] images;
        float[] scores;
        if (classifier is not null)
        {
            var features = test;
            foreach (var stage in stages.Take(stages.Count - 1))
                features = stage.Transform(features);
            (labels, images, var featureValues) = ReadColumns(features, classifier.FeatureColumnName, cancellationToken);
            scores = new float[labels.Length * classes];
            int width = classifier.FeatureCount;
            for (int start = 0; start < labels.Length; start += Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(Chunk, labels.Length - start);
                classifier.PredictProbabilitiesBatch(featureValues.AsSpan(start * width, n * width), scores.AsSpan(start * classes, n * classes));
            }
        }
        else
        {
            (labels, images, scores) = ReadColumns(model.Transform(test), "Score", cancellationToken);
        }

        int rows = labels.Length;
        var predicted = new uint[rows];
        var mistakes = new List<(int Row, float Confidence)>();
        for (int i = 0; i < rows; i++)
        {
            var row = scores.AsSpan(i * classes, classes);
            int p = MulticlassPredictionTransformer.ArgMax(row);
            predicted[i] = (uint)p;
            if (p != labels[i])
                mistakes.Add((i, row[p]));
        }

        var scored = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, labels)
            .AddVector("Score", scoreType, scores, scoreColumn.Annotations)
            .AddScalar("PredictedLabel", NumberDataViewType.UInt32, predicted)
            .Build();
        var metrics = context.MulticlassClassification.Evaluate(scored, "Label", "Score", "PredictedLabel");

        int pixels = shape.Channels * shape.Height * shape.Width;
        var gallery = mistakes.OrderByDescending(m => m.Confidence).ThenBy(m => m.Row).Take(galleryCount)
            .Select(m => new Misclassified(m.Row, (int)labels[m.Row], (int)predicted[m.Row],
                scores.AsSpan(m.Row * classes, classes).ToArray(), images.AsSpan(m.Row * pixels, pixels).ToArray()))
            .ToList();
        var samples = Enumerable.Range(0, Math.Min(SampleImageCount, rows)).Select(i => images.AsSpan(i * pixels, pixels).ToArray()).ToList();
        return new ScoredTestSet(metrics, gallery, mistakes.Count, samples, shape.Height, shape.Width);
    }

    /// <summary>Reads "Label", "Image" and a Single vector column <paramref name="vectorColumn"/> of every row into flat arrays.</summary>
    private static (uint[] Labels, float[] Images, float[] Vectors) ReadColumns(IDataView view, string vectorColumn, CancellationToken cancellationToken)
    {
        var labelColumn = view.Schema["Label"];
        var imageColumn = view.Schema["Image"];
        var vector = view.Schema[vectorColumn];
        int imageSize = imageColumn.Type is VectorDataViewType it ? it.Size : 0;
        int vectorSize = vector.Type is VectorDataViewType vt ? vt.Size : 0;
        bool same = vector.Index == imageColumn.Index;
        var labels = new List<uint>();
        var images = new List<float>();
        var vectors = same ? images : new List<float>();
        using var cursor = view.GetRowCursor(same ? [labelColumn, imageColumn] : [labelColumn, imageColumn, vector]);
        var getLabel = cursor.GetGetter<uint>(labelColumn);
        var getImage = cursor.GetGetter<VBuffer<float>>(imageColumn);
        var getVector = cursor.GetGetter<VBuffer<float>>(vector);
        uint label = 0;
        VBuffer<float> image = default, values = default;
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 0x3FF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            getLabel(ref label);
            getImage(ref image);
            if (!same)
                getVector(ref values);
            if (image.Length != imageSize || (!same && values.Length != vectorSize))
                throw new InvalidOperationException($"Row {cursor.Position} has {image.Length} pixels and {values.Length} values in '{vector.Name}'; expected {imageSize} and {vectorSize}.");
            labels.Add(label);
            images.AddRange(image.GetValues());
            if (!same)
                vectors.AddRange(values.GetValues());
        }
        float[] imageArray = [.. images];
        return ([.. labels], imageArray, same ? imageArray : [.. vectors]);
    }
}
