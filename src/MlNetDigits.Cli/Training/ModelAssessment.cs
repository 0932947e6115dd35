using MlNetDigits.Cli.Reports;
using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Cli.Training;

/// <summary>Measures a model on a test split: metrics, most confident mistakes, single-image latency and file size.</summary>
internal static class ModelAssessment
{
    /// <summary>Mistakes kept for the gallery.</summary>
    public const int GalleryCount = 24;

    /// <summary>What is known about the model besides itself.</summary>
    public sealed record ModelFacts(string Name, string Description, string? ModelPath, double? TrainSeconds, int? Seed,
        IReadOnlyList<TrainingCurve> Curves, string? CurvesNote);

    /// <summary>Scores <paramref name="test"/> with <paramref name="model"/> and measures its costs.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputSchema">The schema it was saved with (for the typed prediction engine).</param>
    /// <param name="test">The test split.</param>
    /// <param name="datasetDescription">The test set in words.</param>
    /// <param name="facts">Name, description, file, training time and curves.</param>
    /// <param name="cancellationToken">Stops scoring.</param>
    public static LearnerResult Assess(ITransformer model, DataViewSchema inputSchema, IDataView test, string datasetDescription, ModelFacts facts,
        CancellationToken cancellationToken)
    {
        var context = new DigitsContext(0);
        var scored = TestSetScorer.Score(context, model, test, GalleryCount, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var latency = LatencyProbe.MedianMicroseconds(context, model, inputSchema, scored.SampleImages);
        return new LearnerResult
        {
            Name = facts.Name,
            Description = facts.Description,
            Metrics = scored.Metrics,
            Dataset = datasetDescription,
            ModelPath = facts.ModelPath,
            ModelBytes = facts.ModelPath is { } path && File.Exists(path) ? new FileInfo(path).Length : null,
            TrainSeconds = facts.TrainSeconds,
            LatencyMicroseconds = latency,
            Seed = facts.Seed,
            Curves = facts.Curves,
            CurvesNote = facts.CurvesNote,
            Misclassified = scored.Misclassified,
            MisclassifiedCount = scored.MisclassifiedCount,
            ImageHeight = scored.ImageHeight,
            ImageWidth = scored.ImageWidth,
        };
    }
}
