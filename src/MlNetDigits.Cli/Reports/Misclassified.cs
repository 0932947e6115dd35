namespace MlNetDigits.Cli.Reports;

/// <summary>A test image the model got wrong: its row, true and predicted class, every probability and its pixels (0..255).</summary>
internal sealed record Misclassified(long Row, int Actual, int Predicted, float[] Probabilities, float[] Pixels)
{
    /// <summary>The probability the model gave its (wrong) prediction.</summary>
    public float Confidence => Probabilities[Predicted];
}
