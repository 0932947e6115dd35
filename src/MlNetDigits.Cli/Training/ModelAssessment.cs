using Microsoft.ML;
using MlNetDigits.Cli.Reports;

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
    /// <param name="test">The test split.</param>
    /// <param name="datasetDescription">The test set in words.</param>
    /// <param name="facts">Name, description, file, training time and curves.</param>
    /// <param name="cancellationToken">Stops scoring.</param>
    public static LearnerResult Assess(ITransformer model, IDataView test, string datasetDescription, ModelFacts facts, CancellationToken cancellationToken)
    {
        var ml = new MLContext(0);
        var modelName = facts.ModelPath is { } file ? $"'{file}'" : $"'{facts.Name}'";
        var scored = TestSetScorer.Score(ml, model, modelName, test, GalleryCount, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var latency = LatencyProbe.MedianMicroseconds(new MLContext(0), model, scored.ImageType, scored.SampleImages);
        return new LearnerResult
        {
            Name = facts.Name,
            Description = facts.Description,
            Evaluation = scored.Evaluation,
            Dataset = datasetDescription,
            ModelPath = facts.ModelPath,
            ModelBytes = facts.ModelPath is { } path && File.Exists(path) ? new FileInfo(path).Length : null,
            TrainSeconds = facts.TrainSeconds,
            LatencyMicroseconds = latency,
            Seed = facts.Seed,
            Curves = facts.Curves,
            CurvesNote = facts.CurvesNote,
            Misclassified = scored.Gallery,
            ImageHeight = scored.ImageHeight,
            ImageWidth = scored.ImageWidth,
        };
    }
}
