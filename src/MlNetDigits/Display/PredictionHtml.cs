using System.Globalization;
using MlNetDigits.Prediction;

namespace MlNetDigits.Display;

/// <summary>HTML for a <see cref="DigitPrediction"/>: the image the model saw, the answer and a bar per class probability.</summary>
internal static class PredictionHtml
{
    public static string Render(DigitPrediction prediction)
    {
        var inv = CultureInfo.InvariantCulture;
        var caption = $"{prediction.Digit} ({prediction.Confidence.ToString("P1", inv)})" + (prediction.IsUnsure ? " unsure" : "");
        var seen = DigitImage.FromGrayImage(prediction.Preprocessed?.Final ?? prediction.Image, caption);
        seen.DisplaySize = 84;
        var chart = new BarChart(prediction.Probabilities.Select(p => p.ClassName), prediction.Probabilities.Select(p => (double)p.Score))
        {
            Width = 320,
            Height = 150,
            YRange = (0, 1),
        };
        var note = prediction.UnsureReason is { } reason ? $"<div style=\"font-family:sans-serif;font-size:11px;color:#a33\">{Html.Encode(reason)}</div>" : "";
        return $"<div style=\"display:flex;gap:12px;align-items:center\"><div>{seen.ToHtml()}{note}</div><div>{chart.ToSvg()}</div></div>";
    }
}
