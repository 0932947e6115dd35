namespace MlNetDigits.Web.Api;

/// <summary>What <c>POST /api/read-number</c> answers: the number read in a drawing of several digits, and each digit.</summary>
/// <param name="Model">The model's name in this app ("cnn").</param>
/// <param name="ModelVersion">The version of the model that read the digits (the first 12 hex digits of its file's SHA-256).</param>
/// <param name="Text">The number, one character per digit found, left to right; "?" for ink that is not a digit; "" when blank.</param>
/// <param name="IsNumber">True when at least one digit was found and every segment is a digit.</param>
/// <param name="Unsure">True when the reading should be checked by a person (see <paramref name="UnsureReasons"/>).</param>
/// <param name="UnsureReasons">Why it is unsure, one sentence per cause; empty when sure.</param>
/// <param name="Width">The input image's width in pixels (the digits' boxes are in these pixels).</param>
/// <param name="Height">The input image's height in pixels.</param>
/// <param name="Digits">The digits found, left to right.</param>
public sealed record NumberResponse(
    string Model,
    string ModelVersion,
    string Text,
    bool IsNumber,
    bool Unsure,
    IReadOnlyList<string> UnsureReasons,
    int Width,
    int Height,
    IReadOnlyList<NumberDigitResponse> Digits)
{
    /// <summary>The response for <paramref name="reading"/> of a <paramref name="width"/> x <paramref name="height"/> image by <paramref name="model"/>.</summary>
    public static NumberResponse From(string model, string currentVersion, NumberReading reading, int width, int height, bool includeImage)
    {
        var digits = reading.Digits.Select(d => new NumberDigitResponse(
            new BoxResponse(d.Bounds.X, d.Bounds.Y, d.Bounds.Width, d.Bounds.Height),
            d.SegmentationConfidence,
            d.WasSplit,
            PredictionResponse.From(model, d.Prediction, includeImage))).ToArray();
        // A blank drawing has no prediction to take the version from: the model served now read it.
        var version = digits.Length > 0 ? digits[0].Prediction.ModelVersion : currentVersion;
        return new NumberResponse(model, version, reading.Text, reading.IsNumber, reading.IsUnsure, reading.UnsureReasons, width, height, digits);
    }
}

/// <summary>One digit of a <see cref="NumberResponse"/>.</summary>
/// <param name="Box">The digit's ink box in the input image's pixels.</param>
/// <param name="SegmentationConfidence">How sure the segmenter is that this is exactly one digit (0..1).</param>
/// <param name="WasSplit">True when the digit was cut out of ink it shared with a neighbour.</param>
/// <param name="Prediction">The model's answer for this digit alone (digit or not, confidence, the ten probabilities).</param>
public sealed record NumberDigitResponse(BoxResponse Box, float SegmentationConfidence, bool WasSplit, PredictionResponse Prediction);

/// <summary>A rectangle of pixels: its top-left corner and size.</summary>
public sealed record BoxResponse(int X, int Y, int Width, int Height);
