using System.Globalization;

namespace MlNetDigits;

/// <summary>
/// What <see cref="DigitClassifier.ReadNumber(GrayImage)"/> read in a drawing of several digits on one line: each digit
/// found, left to right, with its prediction, and the number they make.
/// </summary>
public sealed class NumberReading
{
    internal NumberReading(IReadOnlyList<NumberDigit> digits, float minimumSegmentationConfidence)
    {
        Digits = digits;
        Text = string.Concat(digits.Select(d => d.Prediction.IsDigit ? d.Prediction.Digit : "?"));
        var reasons = new List<string>();
        if (digits.Count == 0)
            reasons.Add("No ink was found: the drawing is blank.");
        for (int i = 0; i < digits.Count; i++)
        {
            var d = digits[i];
            string where = string.Create(CultureInfo.InvariantCulture, $"Digit {i + 1} of {digits.Count} (at x = {d.Bounds.X})");
            if (!d.Prediction.IsDigit)
                reasons.Add($"{where} is not a digit ({d.Prediction.NotADigitReason}): {d.Prediction.UnsureReason}");
            else if (d.Prediction.IsUnsure)
                reasons.Add($"{where}: {d.Prediction.UnsureReason}");
            if (d.SegmentationConfidence < minimumSegmentationConfidence)
                reasons.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{where} was cut from ink it shared with a neighbour, and the segmenter is only {d.SegmentationConfidence:P0} sure the cut is right (below {minimumSegmentationConfidence:P0})."));
        }
        UnsureReasons = reasons;
    }

    /// <summary>The digits found, left to right; empty for a blank drawing.</summary>
    public IReadOnlyList<NumberDigit> Digits { get; }

    /// <summary>
    /// The number as text, one character per digit found ("0042" keeps its leading zeros); a "?" stands for ink that is
    /// not a digit. Empty for a blank drawing.
    /// </summary>
    public string Text { get; }

    /// <summary>True when every segment is a digit and at least one was found.</summary>
    public bool IsNumber => Digits.Count > 0 && Digits.All(d => d.Prediction.IsDigit);

    /// <summary>
    /// True when the reading should be checked by a person: blank, a segment that is not a digit, a digit the model is
    /// unsure of (see <see cref="DigitPrediction.IsUnsure"/>), or a cut the segmenter doubts
    /// (<see cref="DigitClassifierOptions.MinimumSegmentationConfidence"/>).
    /// </summary>
    public bool IsUnsure => UnsureReasons.Count > 0;

    /// <summary>Why the reading is unsure, one sentence per cause; empty when it is not.</summary>
    public IReadOnlyList<string> UnsureReasons { get; }

    public override string ToString() => Digits.Count == 0
        ? "no digits (blank)"
        : $"{Text}{(IsUnsure ? " (unsure)" : "")}";
}

/// <summary>One digit of a <see cref="NumberReading"/>: where it is and what the model says it is.</summary>
public sealed class NumberDigit
{
    internal NumberDigit(PixelRect bounds, DigitSegment segment, DigitPrediction prediction)
    {
        Bounds = bounds;
        Segment = segment;
        Prediction = prediction;
    }

    /// <summary>The digit's ink box in the input image's pixels.</summary>
    public PixelRect Bounds { get; }

    /// <summary>How sure the segmenter is that this is exactly one digit (see <see cref="DigitSegment.SegmentationConfidence"/>).</summary>
    public float SegmentationConfidence => Segment.SegmentationConfidence;

    /// <summary>True when the digit was cut out of ink it shared with a neighbour.</summary>
    public bool WasSplit => Segment.WasSplit;

    /// <summary>The segment as the segmenter found it (in the possibly scaled-down image the segmenter read).</summary>
    public DigitSegment Segment { get; }

    /// <summary>The model's answer for this digit alone: probabilities, not-a-digit, unsure.</summary>
    public DigitPrediction Prediction { get; }
}
