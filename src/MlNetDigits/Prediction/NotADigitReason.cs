namespace MlNetDigits;

/// <summary>Why a <see cref="DigitClassifier"/> answered "not a digit"; <see cref="None"/> when the image is a digit.</summary>
public enum NotADigitReason
{
    /// <summary>The image is a digit (as far as the rules and the model's score can tell).</summary>
    None = 0,

    /// <summary>No ink at all: nothing brighter than the ink threshold once the background is removed.</summary>
    Blank,

    /// <summary>A dot: all the ink lies in a tiny area of the image (a click, a speck).</summary>
    Dot,

    /// <summary>Too little ink for a digit in the 28x28 image the model sees (a faint or tiny mark).</summary>
    TooLittleInk,

    /// <summary>
    /// Not digit-like: the model's out-of-distribution score is over its threshold (or, for a model without one, the
    /// top class probability is below <see cref="DigitClassifierOptions.FallbackMinimumConfidence"/>).
    /// </summary>
    NotDigitLike,
}

/// <summary>Helpers for <see cref="NotADigitReason"/>.</summary>
public static class NotADigitReasonExtensions
{
    /// <summary>The reason as a JSON name is written, in camelCase ("tooLittleInk"); null for <see cref="NotADigitReason.None"/>.</summary>
    public static string? ToJsonName(this NotADigitReason reason) =>
        reason == NotADigitReason.None ? null : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(reason.ToString());
}
