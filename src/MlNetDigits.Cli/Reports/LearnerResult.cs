using Microsoft.ML.Data;

namespace MlNetDigits.Cli.Reports;

/// <summary>Everything reported about one model on one test set: its metrics, costs, training curves and worst mistakes.</summary>
internal sealed record LearnerResult
{
    /// <summary>A short name used in tables and file names ("sdca", "cnn", or the model file's name).</summary>
    public required string Name { get; init; }

    /// <summary>What the model is, e.g. "CNN (preset fast, 1 epoch)".</summary>
    public required string Description { get; init; }

    /// <summary>The test-set evaluation: ML.NET's metrics, calibration (ECE), per-class F1, class names and every mistake.</summary>
    public required ClassifierEvaluation Evaluation { get; init; }

    /// <summary>ML.NET's metrics (a shortcut for <c>Evaluation.Metrics</c>).</summary>
    public MulticlassClassificationMetrics Metrics => Evaluation.Metrics;

    /// <summary>The number of test images evaluated.</summary>
    public long RowCount => Evaluation.Calibration.Count;

    /// <summary>The data set the metrics were measured on, in words.</summary>
    public required string Dataset { get; init; }

    /// <summary>The model file, when there is one.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The model file's size in bytes.</summary>
    public long? ModelBytes { get; init; }

    /// <summary>Seconds spent training (null for a model loaded from a file).</summary>
    public double? TrainSeconds { get; init; }

    /// <summary>The median time of one prediction of one image through a typed prediction engine, in microseconds.</summary>
    public double? LatencyMicroseconds { get; init; }

    /// <summary>The training seed, when known.</summary>
    public int? Seed { get; init; }

    /// <summary>Training curves (loss, accuracy, objective) to chart.</summary>
    public IReadOnlyList<TrainingCurve> Curves { get; init; } = [];

    /// <summary>Why there are no curves, or what they are drawn from.</summary>
    public string? CurvesNote { get; init; }

    /// <summary>The most confident mistakes on the test set, most confident first.</summary>
    public IReadOnlyList<Misclassified> Misclassified { get; init; } = [];

    /// <summary>The number of test images misclassified (all of them, not only those kept).</summary>
    public long MisclassifiedCount => Evaluation.Misclassified.Count;

    /// <summary>The image height and width, for drawing <see cref="Misclassified"/>.</summary>
    public int ImageHeight { get; init; } = 28;

    /// <inheritdoc cref="ImageHeight"/>
    public int ImageWidth { get; init; } = 28;
}
