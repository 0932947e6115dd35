using System.Text;
using MlNetDigits.Evaluation;

namespace MlNetDigits.Display;

/// <summary>HTML for evaluation results: the metrics as a table, the confusion matrix as an SVG heatmap with per-class figures.</summary>
internal static class MetricsHtml
{
    public static string Render(MulticlassClassificationMetrics metrics)
    {
        var rows = new List<object?[]>
        {
            new object?[] { "Rows evaluated", (double)metrics.RowCount, metrics.SkippedRowCount > 0 ? $"{metrics.SkippedRowCount} skipped" : "" },
            new object?[] { "MicroAccuracy", metrics.MicroAccuracy, "0..1, higher is better" },
            new object?[] { "MacroAccuracy", metrics.MacroAccuracy, "0..1, higher is better" },
            new object?[] { "LogLoss", metrics.LogLoss, "0..inf, lower is better" },
            new object?[] { "LogLossReduction", metrics.LogLossReduction, "-inf..1, higher is better" },
        };
        for (int k = 0; k < metrics.TopKAccuracyForAllK.Count; k++)
            rows.Add([$"Top-{k + 1} accuracy", metrics.TopKAccuracyForAllK[k], "0..1, higher is better"]);
        rows.Add(["ExpectedCalibrationError", metrics.ExpectedCalibrationError, "0..1, lower is better (15 bins)"]);
        var summary = new HtmlTable(["Metric", "Value", ""], rows) { Caption = "Metrics" };
        var cm = metrics.ConfusionMatrix;
        var perClass = new HtmlTable(["Class", "Precision", "Recall", "F1", "LogLoss"],
            Enumerable.Range(0, cm.NumberOfClasses).Select(c => new object?[] { cm.ClassNames[c], cm.PerClassPrecision[c], cm.PerClassRecall[c], cm.PerClassF1[c], metrics.PerClassLogLoss[c] }))
        { Caption = "Per class" };
        return "<div style=\"display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start\">" +
               $"<div>{summary.ToHtml()}</div><div>{perClass.ToHtml()}</div><div>{ConfusionSvg(cm)}</div></div>";
    }

    public static string Render(ConfusionMatrix matrix)
    {
        var perClass = new HtmlTable(["Class", "Precision", "Recall", "F1", "Support"],
            Enumerable.Range(0, matrix.NumberOfClasses).Select(c => new object?[] { matrix.ClassNames[c], matrix.PerClassPrecision[c], matrix.PerClassRecall[c], matrix.PerClassF1[c], matrix.Counts[c].Sum() }));
        return "<div style=\"display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start\">" +
               $"<div>{ConfusionSvg(matrix)}</div><div>{perClass.ToHtml()}</div></div>";
    }

    /// <summary>
    /// The confusion matrix as an SVG heatmap: rows are the true classes, columns the predicted ones, each cell shaded by
    /// its share of the row (blue on the diagonal, red off it, square-root scaled so rare confusions stay visible).
    /// </summary>
    public static string ConfusionSvg(ConfusionMatrix matrix)
    {
        const int cell = 30, left = 70, top = 50;
        var k = matrix.NumberOfClasses;
        var width = left + k * cell + 10;
        var height = top + k * cell + 10;
        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"10\">");
        svg.Append($"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append($"<text x=\"{Html.N(left + k * cell / 2.0)}\" y=\"14\" text-anchor=\"middle\" font-size=\"12\">Predicted</text>");
        svg.Append($"<text x=\"14\" y=\"{Html.N(top + k * cell / 2.0)}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 {Html.N(top + k * cell / 2.0)})\">Actual</text>");
        for (int c = 0; c < k; c++)
        {
            svg.Append($"<text x=\"{left + c * cell + cell / 2}\" y=\"{top - 6}\" text-anchor=\"middle\">{Html.Encode(matrix.ClassNames[c])}</text>");
            svg.Append($"<text x=\"{left - 6}\" y=\"{top + c * cell + cell / 2}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Html.Encode(matrix.ClassNames[c])}</text>");
        }
        for (int a = 0; a < k; a++)
        {
            var rowSum = matrix.Counts[a].Sum();
            for (int p = 0; p < k; p++)
            {
                var count = matrix.Counts[a][p];
                var share = rowSum > 0 ? count / rowSum : 0;
                var fill = a == p ? Html.Blend(Math.Sqrt(share), 0x2b, 0x6c, 0xb0) : Html.Blend(Math.Sqrt(share), 0xd6, 0x3a, 0x2f);
                var ink = Math.Sqrt(share) > 0.6 ? "white" : "black";
                var x = left + p * cell;
                var y = top + a * cell;
                svg.Append($"<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\" stroke=\"#ddd\"><title>actual {Html.Encode(matrix.ClassNames[a])}, predicted {Html.Encode(matrix.ClassNames[p])}: {Html.Number(count)}</title></rect>");
                if (count > 0)
                    svg.Append($"<text x=\"{x + cell / 2}\" y=\"{y + cell / 2}\" text-anchor=\"middle\" dominant-baseline=\"middle\" fill=\"{ink}\">{Html.Number(count)}</text>");
            }
        }
        return svg.Append("</svg>").ToString();
    }
}
