namespace MlNetDigits;

/// <summary>A rectangle of pixels: top-left corner (<see cref="X"/>, <see cref="Y"/>) and size.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height);

/// <summary>
/// The result of <see cref="DigitPreprocessor"/>: the final 28x28 MNIST-style image and every intermediate step, so a
/// page or notebook can show how a drawing became the classifier's input.
/// </summary>
public sealed class PreprocessedDigit
{
    internal PreprocessedDigit(
        GrayImage input, bool inverted, float background, GrayImage whiteOnBlack, PixelRect? inkBounds,
        GrayImage? cropped, GrayImage? scaled, (float X, float Y) scaledCenterOfMass, (int X, int Y) offset, GrayImage final)
    {
        Input = input;
        Inverted = inverted;
        Background = background;
        WhiteOnBlack = whiteOnBlack;
        InkBounds = inkBounds;
        Cropped = cropped;
        Scaled = scaled;
        ScaledCenterOfMass = scaledCenterOfMass;
        Offset = offset;
        Final = final;
    }

    /// <summary>The grayscale input as given (0..255).</summary>
    public GrayImage Input { get; }

    /// <summary>Whether the input was inverted (it was dark ink on a light background).</summary>
    public bool Inverted { get; }

    /// <summary>The background level that was removed (median of the border after inversion; 0 when not removed).</summary>
    public float Background { get; }

    /// <summary>Step 1: the input as white ink on black, at its original size, background removed.</summary>
    public GrayImage WhiteOnBlack { get; }

    /// <summary>Whether any pixel rose above the ink threshold; when false, <see cref="Final"/> is all zeros.</summary>
    public bool HasInk => InkBounds is not null;

    /// <summary>The ink's bounding box in <see cref="WhiteOnBlack"/>; null when there is no ink.</summary>
    public PixelRect? InkBounds { get; }

    /// <summary>Step 2: <see cref="WhiteOnBlack"/> cropped to <see cref="InkBounds"/>; null when there is no ink.</summary>
    public GrayImage? Cropped { get; }

    /// <summary>Step 3: the crop scaled so its longer side is 20 px, aspect ratio kept; null when there is no ink.</summary>
    public GrayImage? Scaled { get; }

    /// <summary>The centre of mass of <see cref="Scaled"/>, in its pixel-index coordinates.</summary>
    public (float X, float Y) ScaledCenterOfMass { get; }

    /// <summary>Where <see cref="Scaled"/>'s top-left pixel was placed in the 28x28 frame.</summary>
    public (int X, int Y) Offset { get; }

    /// <summary>Step 4: the 28x28 result, white ink on black, 0..255, centre of mass near pixel (14, 14).</summary>
    public GrayImage Final { get; }

    /// <summary>The 784 final pixels, row-major: the classifier's input (same array as <see cref="Final"/>).</summary>
    public float[] Pixels => Final.Pixels;
}
