using System.Globalization;
using System.Text;

namespace MlNetDigits.Evaluation;

/// <summary>
/// Evaluation results of a multiclass classifier, with ML.NET's names and definitions, plus per-class F1 (on
/// <see cref="ConfusionMatrix"/>) and the expected calibration error. Made by
/// <see cref="MulticlassClassificationCatalog.Evaluate"/>.
/// </summary>
[MlNetDigits.Display.TypeFormatterSource(typeof(MlNetDigits.Display.DisplayFormatterSource))] // rich display in Polyglot Notebooks
public sealed class MulticlassClassificationMetrics
{
    internal MulticlassClassificationMetrics(
        double microAccuracy, double macroAccuracy, double logLoss, double logLossReduction,
        int topKPredictionCount, IReadOnlyList<double> topKAccuracyForAllK, IReadOnlyList<double> perClassLogLoss,
        double expectedCalibrationError, ConfusionMatrix confusionMatrix, long rowCount, long skippedRowCount)
    {
        MicroAccuracy = microAccuracy;
        MacroAccuracy = macroAccuracy;
        LogLoss = logLoss;
        LogLossReduction = logLossReduction;
        TopKPredictionCount = topKPredictionCount;
        TopKAccuracyForAllK = topKAccuracyForAllK;
        PerClassLogLoss = perClassLogLoss;
        ExpectedCalibrationError = expectedCalibrationError;
        ConfusionMatrix = confusionMatrix;
        RowCount = rowCount;
        SkippedRowCount = skippedRowCount;
    }

    /// <summary>The fraction of rows whose predicted class (the arg-max of the scores) is the true class.</summary>
    public double MicroAccuracy { get; }

    /// <summary>The mean over the classes present in the test set of each class's accuracy (its recall).</summary>
    public double MacroAccuracy { get; }

    /// <summary>
    /// The mean of -ln(p) over the rows, where p is the score of the true class clamped to [1e-15, 1]; a row whose class
    /// is beyond the score vector counts -ln(1e-15).
    /// </summary>
    public double LogLoss { get; }

    /// <summary>
    /// (H - LogLoss) / H, where H = -sum_c (n_c / n) ln(n_c / n) is the log-loss of predicting the test set's own class
    /// distribution for every row (its entropy). 1 is perfect, 0 is no better than the prior, negative is worse; when the
    /// test set holds a single class H is 0 and the value is not finite (as in ML.NET).
    /// </summary>
    public double LogLossReduction { get; }

    /// <summary>The K of <see cref="TopKAccuracy"/>, as asked of the evaluator; 0 when top-k accuracy was not asked for.</summary>
    public int TopKPredictionCount { get; }

    /// <summary><see cref="TopKAccuracyForAllK"/>[K - 1]: the fraction of rows whose true class is among the K highest scores; 0 when K is 0.</summary>
    public double TopKAccuracy => TopKAccuracyForAllK.Count == 0 ? 0 : TopKAccuracyForAllK[^1];

    /// <summary>The top-k accuracy for every k from 1 to <see cref="TopKPredictionCount"/> (empty when it is 0). Ties rank the lower class first.</summary>
    public IReadOnlyList<double> TopKAccuracyForAllK { get; }

    /// <summary>For each class, the mean log-loss of the rows of that class; 0 for a class absent from the test set.</summary>
    public IReadOnlyList<double> PerClassLogLoss { get; }

    /// <summary>
    /// The expected calibration error over 15 equal-width bins of the top score: sum over bins b of
    /// |b| / n * |accuracy(b) - mean top score(b)|. 0 means the confidences match the hit rates.
    /// </summary>
    public double ExpectedCalibrationError { get; }

    /// <summary>The confusion matrix (rows actual, columns predicted) with per-class precision, recall and F1.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>The number of rows evaluated.</summary>
    public long RowCount { get; }

    /// <summary>Rows left out: a missing label (key 0, NaN), a negative or fractional label, or a non-finite score.</summary>
    public long SkippedRowCount { get; }

    /// <summary>The summary printed by the console host: the overall metrics, per-class figures and the confusion table.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Line(string name, double value, string note) =>
            sb.Append(name.PadRight(26)).Append(value.ToString("0.0000", inv).PadLeft(9)).Append("   ").AppendLine(note);

        sb.Append("Rows evaluated".PadRight(26)).Append(RowCount.ToString(inv).PadLeft(9));
        if (SkippedRowCount > 0)
            sb.Append("   (").Append(SkippedRowCount.ToString(inv)).Append(" skipped)");
        sb.AppendLine();
        Line("MicroAccuracy", MicroAccuracy, "0..1, higher is better");
        Line("MacroAccuracy", MacroAccuracy, "0..1, higher is better");
        Line("LogLoss", LogLoss, "0..inf, lower is better");
        Line("LogLossReduction", LogLossReduction, "-inf..1, higher is better");
        for (int k = 0; k < TopKAccuracyForAllK.Count; k++)
            Line($"Top-{k + 1} accuracy", TopKAccuracyForAllK[k], "0..1, higher is better");
        Line("ExpectedCalibrationError", ExpectedCalibrationError, "0..1, lower is better (15 bins)");
        sb.AppendLine();

        var cm = ConfusionMatrix;
        var nameWidth = Math.Max(5, cm.ClassNames.Count == 0 ? 0 : cm.ClassNames.Max(n => n.Length));
        sb.Append("Class".PadRight(nameWidth)).AppendLine("  Precision     Recall         F1    LogLoss");
        for (int c = 0; c < cm.NumberOfClasses; c++)
        {
            sb.Append(cm.ClassNames[c].PadRight(nameWidth));
            foreach (var v in new[] { cm.PerClassPrecision[c], cm.PerClassRecall[c], cm.PerClassF1[c], PerClassLogLoss[c] })
                sb.Append(v.ToString("0.0000", inv).PadLeft(11));
            sb.AppendLine();
        }
        sb.AppendLine();
        sb.Append(cm.GetFormattedConfusionTable());
        return sb.ToString();
    }
}
