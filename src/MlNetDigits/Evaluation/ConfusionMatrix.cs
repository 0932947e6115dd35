using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace MlNetDigits.Evaluation;

/// <summary>
/// The confusion matrix of a classifier on a test set, as in ML.NET: <see cref="Counts"/>[actual][predicted], with
/// per-class precision, recall and F1 derived from it.
/// </summary>
[MlNetDigits.Display.TypeFormatterSource(typeof(MlNetDigits.Display.DisplayFormatterSource))] // rich display in Polyglot Notebooks
public sealed class ConfusionMatrix
{
    /// <param name="counts">The counts, one row per actual class and one column per predicted class (K x K).</param>
    /// <param name="classNames">A name per class (K), used by <see cref="GetFormattedConfusionTable"/>.</param>
    public ConfusionMatrix(double[][] counts, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        var k = counts.Length;
        if (classNames.Count != k)
            throw new ArgumentException($"There are {k} rows of counts but {classNames.Count} class names.", nameof(classNames));
        foreach (var row in counts)
            if (row is null || row.Length != k)
                throw new ArgumentException($"The counts must be a square {k} x {k} table.", nameof(counts));

        NumberOfClasses = k;
        ClassNames = [.. classNames];
        Counts = [.. counts.Select(row => (IReadOnlyList<double>)ImmutableArray.Create(row))];

        var precision = new double[k];
        var recall = new double[k];
        var f1 = new double[k];
        for (int c = 0; c < k; c++)
        {
            double rowSum = 0, columnSum = 0;
            for (int j = 0; j < k; j++)
            {
                rowSum += counts[c][j];
                columnSum += counts[j][c];
            }
            // A class never predicted has precision 0, a class absent from the test set has recall 0 (ML.NET's convention).
            precision[c] = columnSum > 0 ? counts[c][c] / columnSum : 0;
            recall[c] = rowSum > 0 ? counts[c][c] / rowSum : 0;
            f1[c] = precision[c] + recall[c] > 0 ? 2 * precision[c] * recall[c] / (precision[c] + recall[c]) : 0;
        }
        PerClassPrecision = [.. precision];
        PerClassRecall = [.. recall];
        PerClassF1 = [.. f1];
    }

    /// <summary>The number of classes K.</summary>
    public int NumberOfClasses { get; }

    /// <summary>The class names, in class order (from the score column's slot names or the label's key values).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The counts: <c>Counts[actual][predicted]</c> (rows are the true classes, columns the predicted ones).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Counts { get; }

    /// <summary>Precision of each class: Counts[c][c] / (sum of column c); 0 when class c was never predicted.</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Recall of each class: Counts[c][c] / (sum of row c); 0 when class c is absent from the test set.</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>F1 of each class: the harmonic mean 2PR / (P + R) of its precision and recall; 0 when both are 0.</summary>
    public IReadOnlyList<double> PerClassF1 { get; }

    /// <summary>The count of rows of class <paramref name="actualClassIndex"/> predicted as <paramref name="predictedClassIndex"/>.</summary>
    public double GetCountForClassPair(int predictedClassIndex, int actualClassIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(predictedClassIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predictedClassIndex, NumberOfClasses);
        ArgumentOutOfRangeException.ThrowIfNegative(actualClassIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(actualClassIndex, NumberOfClasses);
        return Counts[actualClassIndex][predictedClassIndex];
    }

    /// <summary>
    /// The table as text, laid out like ML.NET's: a header of predicted classes, one row per true class ending in its
    /// recall, and a last row of per-class precision.
    /// </summary>
    public string GetFormattedConfusionTable()
    {
        var inv = CultureInfo.InvariantCulture;
        var countText = Counts.Select(row => row.Select(v => v.ToString("0.##", inv)).ToArray()).ToArray();
        // Every cell is as wide as the widest count, class name or "0.0000" figure.
        var cell = Math.Max(6, Math.Max(
            ClassNames.Count == 0 ? 0 : ClassNames.Max(n => n.Length),
            countText.Length == 0 ? 0 : countText.Max(r => r.Length == 0 ? 0 : r.Max(s => s.Length))));
        var label = Math.Max(9, ClassNames.Count == 0 ? 0 : ClassNames.Max(n => n.Length));
        var rule = new string('=', (cell + 3) * NumberOfClasses + 8);

        var sb = new StringBuilder();
        sb.AppendLine("Confusion table");
        sb.Append(' ', label).Append(" ||").AppendLine(rule);
        sb.Append("PREDICTED".PadRight(label)).Append(" ||");
        foreach (var name in ClassNames)
            sb.Append(' ').Append(name.PadLeft(cell)).Append(" |");
        sb.AppendLine(" Recall");
        sb.Append("TRUTH".PadRight(label)).Append(" ||").AppendLine(rule);
        for (int a = 0; a < NumberOfClasses; a++)
        {
            sb.Append(ClassNames[a].PadLeft(label)).Append(" ||");
            foreach (var text in countText[a])
                sb.Append(' ').Append(text.PadLeft(cell)).Append(" |");
            sb.Append(' ').AppendLine(PerClassRecall[a].ToString("0.0000", inv));
        }
        sb.Append(' ', label).Append(" ||").AppendLine(rule);
        sb.Append("Precision".PadRight(label)).Append(" ||");
        foreach (var p in PerClassPrecision)
            sb.Append(' ').Append(p.ToString("0.0000", inv).PadLeft(cell)).Append(" |");
        sb.AppendLine();
        return sb.ToString();
    }

    public override string ToString() => GetFormattedConfusionTable();
}
