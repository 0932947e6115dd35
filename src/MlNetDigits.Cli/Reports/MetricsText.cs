using System.Globalization;
using System.Text;

namespace MlNetDigits.Cli.Reports;

/// <summary>
/// The metrics of one evaluation as console text: ML.NET's summary figures with their ranges, the calibration error and
/// macro F1 from EvaluateDetailed, a per-class table and ML.NET's formatted confusion table.
/// </summary>
internal static class MetricsText
{
    public static string Render(ClassifierEvaluation evaluation)
    {
        var inv = CultureInfo.InvariantCulture;
        var m = evaluation.Metrics;
        var sb = new StringBuilder();
        void Line(string name, double value, string note) =>
            sb.Append(name.PadRight(26)).Append(value.ToString("0.0000", inv).PadLeft(9)).Append("   ").AppendLine(note);

        sb.Append("Rows evaluated".PadRight(26)).AppendLine(evaluation.Calibration.Count.ToString(inv).PadLeft(9));
        Line("MicroAccuracy", m.MicroAccuracy, "0..1, higher is better");
        Line("MacroAccuracy", m.MacroAccuracy, "0..1, higher is better");
        Line("LogLoss", m.LogLoss, "0..inf, lower is better");
        Line("LogLossReduction", m.LogLossReduction, "-inf..1, higher is better");
        if (m.TopKPredictionCount > 0)
            for (int k = 0; k < m.TopKAccuracyForAllK.Count; k++)
                Line($"Top-{k + 1} accuracy", m.TopKAccuracyForAllK[k], "0..1, higher is better");
        Line("ExpectedCalibrationError", evaluation.Calibration.ExpectedCalibrationError,
            $"0..1, lower is better ({evaluation.Calibration.Bins.Count.ToString(inv)} bins)");
        Line("MacroF1", evaluation.MacroF1, "0..1, higher is better");
        sb.AppendLine();

        var cm = m.ConfusionMatrix;
        var names = evaluation.ClassNames;
        var nameWidth = Math.Max(5, names.Count == 0 ? 0 : names.Max(n => n.Length));
        sb.Append("Class".PadRight(nameWidth)).AppendLine("  Precision     Recall         F1    LogLoss");
        for (int c = 0; c < cm.NumberOfClasses; c++)
        {
            sb.Append(names[c].PadRight(nameWidth));
            foreach (var v in new[] { cm.PerClassPrecision[c], cm.PerClassRecall[c], evaluation.PerClassF1[c], m.PerClassLogLoss[c] })
                sb.Append(v.ToString("0.0000", inv).PadLeft(11));
            sb.AppendLine();
        }
        sb.Append(cm.GetFormattedConfusionTable());
        return sb.ToString();
    }
}
