using System.Globalization;
using MlNetDigits.Imaging;

namespace MlNetDigits.Display;

/// <summary>HTML for <see cref="PreprocessedDigit"/>: each step of the MNIST-style preprocessing as a captioned image.</summary>
internal static class PreprocessingHtml
{
    public static string Render(PreprocessedDigit digit)
    {
        var inv = CultureInfo.InvariantCulture;
        var steps = new List<DigitImage>
        {
            Step(digit.Input, $"input {digit.Input.Width}x{digit.Input.Height}"),
            Step(digit.WhiteOnBlack, digit.Inverted ? "inverted, background removed" : $"background {digit.Background.ToString("0", inv)} removed"),
        };
        if (digit.Cropped is { } cropped && digit.InkBounds is { } box)
            steps.Add(Step(cropped, $"ink box {box.Width}x{box.Height} at ({box.X},{box.Y})"));
        if (digit.Scaled is { } scaled)
            steps.Add(Step(scaled, $"scaled to {scaled.Width}x{scaled.Height}"));
        steps.Add(Step(digit.Final, digit.HasInk ? $"centred, shift ({digit.Offset.X},{digit.Offset.Y})" : "no ink: all zeros"));
        return new DigitGrid().AddRow(null, steps).ToHtml();
    }

    /// <summary>The steps as one line of text: input size, inversion, ink box, scaled size, shift.</summary>
    public static string Describe(PreprocessedDigit digit)
    {
        var text = $"input {digit.Input.Width}x{digit.Input.Height}{(digit.Inverted ? ", inverted" : "")}";
        if (digit.InkBounds is { } box && digit.Scaled is { } scaled)
            text += $", ink box {box.Width}x{box.Height} at ({box.X},{box.Y}), scaled to {scaled.Width}x{scaled.Height}, shifted by ({digit.Offset.X},{digit.Offset.Y})";
        else
            text += ", no ink";
        return text + " -> 28x28";
    }

    private static DigitImage Step(GrayImage image, string caption) =>
        new(image.ToBytes(), image.Width, image.Height, caption) { DisplaySize = 84 };
}
