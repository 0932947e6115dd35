
namespace MlNetDigits.Bench.Numbers;

/// <summary>One digit of a <see cref="ComposedNumber"/>: its label, where its ink lies on the canvas, and that ink alone.</summary>
/// <param name="Label">The digit, 0..9.</param>
/// <param name="SourceIndex">Its index in the MNIST test set.</param>
/// <param name="Box">The bounding box of its ink above the ink threshold, in canvas pixels.</param>
/// <param name="Ink">Its ink alone, white on black, cropped to <paramref name="Box"/>: what a perfect segmenter would give.</param>
internal sealed record ComposedDigit(int Label, int SourceIndex, PixelRect Box, GrayImage Ink);

/// <summary>A test number: the canvas as a user would draw it, and the truth about each digit.</summary>
/// <param name="Canvas">The drawing, 0..255: white ink on black, or dark ink on white when <paramref name="Inverted"/>.</param>
/// <param name="Inverted">Whether the canvas is dark ink on a light background.</param>
/// <param name="Digits">The digits, left to right.</param>
/// <param name="Gaps">Between digit i and i + 1: the gap between their ink boxes as a fraction of their mean width (negative: overlap).</param>
/// <param name="Touching">Between digit i and i + 1: whether their ink touches (8-adjacent pixels above the threshold).</param>
internal sealed record ComposedNumber(GrayImage Canvas, bool Inverted, ComposedDigit[] Digits, float[] Gaps, bool[] Touching)
{
    /// <summary>The digits as a string, e.g. "0427".</summary>
    public string Text => string.Concat(Digits.Select(d => d.Label));
}
