namespace MlNetDigits.Display;

/// <summary>How <see cref="DigitImage.FromFloats"/> maps float pixels to 0..255.</summary>
public enum PixelRange
{
    /// <summary>0..255 values as they are, 0..1 values times 255, anything else stretched.</summary>
    Auto,

    /// <summary>The values are already 0..255.</summary>
    Bytes,

    /// <summary>The values are 0..1 (scaled pixels): times 255.</summary>
    Unit,

    /// <summary>The minimum becomes 0 and the maximum 255 (normalised pixels, weights, differences).</summary>
    Stretch,
}
