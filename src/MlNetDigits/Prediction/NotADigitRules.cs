using System.Globalization;

namespace MlNetDigits;

/// <summary>
/// How the digit facade decides "not a digit", in order: blank (no ink), a dot (the ink box's longer side at most
/// <see cref="DigitClassifierOptions.DotMaximumExtent"/> of the image's shorter side), too little ink (less than
/// <see cref="DigitClassifierOptions.MinimumInk"/> full-intensity pixels in the 28x28 image), then not digit-like: the
/// model's out-of-distribution score above 0 or, for a model without one, the top probability below
/// <see cref="DigitClassifierOptions.FallbackMinimumConfidence"/>. The ink is measured where the preprocessing measures
/// it: the box in the white-on-black input (the 28x28 image itself for MNIST-format pixels), the amount in the image the
/// model sees.
/// </summary>
internal static class NotADigitRules
{
    /// <summary>What the ink rules look at: whether there is ink, its box's longer side over the image's shorter side, and Σ pixels / 255 of the model's input.</summary>
    public readonly record struct Ink(bool HasInk, float Extent, float Amount);

    /// <summary>The ink of a preprocessed drawing.</summary>
    public static Ink Measure(PreprocessedDigit digit) =>
        new(digit.HasInk, digit.InkBounds is { } box ? Extent(box, digit.WhiteOnBlack) : 0, Amount(digit.Final));

    /// <summary>The ink of MNIST-format pixels given as they are.</summary>
    public static Ink Measure(GrayImage mnistImage, float inkThreshold)
    {
        var box = DigitPreprocessor.InkBox(mnistImage, inkThreshold);
        return new(box is not null, box is { } b ? Extent(b, mnistImage) : 0, Amount(mnistImage));
    }

    /// <summary>The reason (None for a digit) and, when not a digit, the explanation in words.</summary>
    public static (NotADigitReason Reason, string? Explanation) Evaluate(Ink ink, float? oodScore, float confidence, DigitClassifierOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        if (!ink.HasInk)
            return (NotADigitReason.Blank, "The image has no ink: nothing brighter than the ink threshold after preprocessing.");
        if (ink.Extent <= options.DotMaximumExtent)
            return (NotADigitReason.Dot, string.Create(c,
                $"The ink is a dot: it spans {ink.Extent:P1} of the image's shorter side (at most {options.DotMaximumExtent:P0} counts as a dot); draw the digit larger."));
        if (ink.Amount < options.MinimumInk)
            return (NotADigitReason.TooLittleInk, string.Create(c,
                $"Too little ink for a digit: {ink.Amount:F1} full pixels in the 28x28 image, below {options.MinimumInk:F0}; draw with stronger or thicker strokes."));
        if (oodScore is { } score)
            return score > 0
                ? (NotADigitReason.NotDigitLike, string.Create(c,
                    $"Not digit-like: the model's out-of-distribution score is {score:F2}, above 0: the image is less like the digits it was trained on than its threshold allows."))
                : (NotADigitReason.None, null);
        return confidence < options.FallbackMinimumConfidence
            ? (NotADigitReason.NotDigitLike, string.Create(c,
                $"Not digit-like: the top probability {ConfidenceFormat.Percent(confidence)} is below {options.FallbackMinimumConfidence:P0} (this model has no out-of-distribution score, so its probability decides)."))
            : (NotADigitReason.None, null);
    }

    private static float Extent(PixelRect box, GrayImage image) => (float)Math.Max(box.Width, box.Height) / Math.Min(image.Width, image.Height);

    private static float Amount(GrayImage image)
    {
        double sum = 0;
        foreach (var v in image.Pixels)
            sum += v;
        return (float)(sum / 255);
    }
}
