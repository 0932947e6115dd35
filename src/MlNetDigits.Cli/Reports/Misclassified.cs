namespace MlNetDigits.Cli.Reports;

/// <summary>A test image the model got wrong: its row, true and predicted class (indices), its most probable classes and its pixels (0..255).</summary>
/// <param name="Row">The row in the test split.</param>
/// <param name="Actual">The true class (0-based key index).</param>
/// <param name="Predicted">The predicted class (0-based key index).</param>
/// <param name="Top">The most probable classes, best first, with their probabilities (as EvaluateDetailed gives them).</param>
/// <param name="Pixels">The image. // (height, width)</param>
internal sealed record Misclassified(long Row, int Actual, int Predicted, IReadOnlyList<(int Class, float Probability)> Top, float[] Pixels)
{
    /// <summary>The probability the model gave its (wrong) prediction.</summary>
    public float Confidence => Top.Count > 0 && Top[0].Class == Predicted ? Top[0].Probability : float.NaN;

    /// <summary>The model's out-of-distribution score of the image (above 0: not digit-like); null for a model without one.</summary>
    public float? NotADigitScore { get; init; }

    /// <summary>True when the model's out-of-distribution score says the image is not digit-like (the digit facade would answer "not a digit").</summary>
    public bool IsNotDigitLike => NotADigitScore > 0;
}
