namespace MlNetDigits;

/// <summary>Whether <see cref="DigitPreprocessor"/> turns dark-on-light images into MNIST's white-on-black.</summary>
public enum InversionMode
{
    /// <summary>Invert when the background (the median of the border pixels) is light, above 127.5.</summary>
    Auto,

    /// <summary>Never invert: the input is already light ink on a dark background.</summary>
    Never,

    /// <summary>Always invert: the input is dark ink on a light background.</summary>
    Always,
}
