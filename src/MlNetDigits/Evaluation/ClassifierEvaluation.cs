using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>One misclassified row of an evaluated data view: where it is and what the model thought.</summary>
/// <param name="Row">The row's position in the evaluated data view (0-based).</param>
/// <param name="TrueClass">The index of the true class (0..K-1; key value minus 1).</param>
/// <param name="PredictedClass">The index of the predicted class (the top score).</param>
/// <param name="Top">The most probable classes, best first, with their probabilities (at most three).</param>
public sealed record Misclassification(long Row, int TrueClass, int PredictedClass, IReadOnlyList<(int Class, float Probability)> Top);

/// <summary>
/// What <c>mlContext.MulticlassClassification.EvaluateDetailed(...)</c> returns: ML.NET's own metrics for the scored data,
/// plus what ML.NET's evaluator lacks — calibration (ECE, reliability bins), per-class F1, class names and the
/// misclassified rows.
/// </summary>
public sealed class ClassifierEvaluation
{
    internal ClassifierEvaluation(MulticlassClassificationMetrics metrics, CalibrationMetrics calibration, IReadOnlyList<string> classNames,
        IReadOnlyList<Misclassification> misclassified)
    {
        Metrics = metrics;
        Calibration = calibration;
        ClassNames = classNames;
        Misclassified = misclassified;
        PerClassF1 = metrics.ConfusionMatrix.PerClassF1();
        MacroF1 = PerClassF1.Average();
    }

    /// <summary>ML.NET's metrics: micro/macro accuracy, log-loss, top-k accuracy, the confusion matrix with per-class precision and recall.</summary>
    public MulticlassClassificationMetrics Metrics { get; }

    /// <summary>Calibration of the Score probabilities: ECE, MCE and the reliability bins.</summary>
    public CalibrationMetrics Calibration { get; }

    /// <summary>The class names in key order (the label's key values as text, or "1".."K" when it has none).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Per-class F1 = 2PR / (P + R), in key order (0 when P + R = 0).</summary>
    public IReadOnlyList<double> PerClassF1 { get; }

    /// <summary>The unweighted mean of <see cref="PerClassF1"/>.</summary>
    public double MacroF1 { get; }

    /// <summary>Every misclassified row, in row order.</summary>
    public IReadOnlyList<Misclassification> Misclassified { get; }

    /// <summary>The number of rows evaluated (rows with a missing label are not counted).</summary>
    public long Count => Calibration.Count;

    /// <summary>The share of rows classified wrongly: 1 − micro accuracy.</summary>
    public double ErrorRate => 1 - Metrics.MicroAccuracy;
}
