namespace MlNetDigits.Web.Api;

/// <summary>One image sent for prediction: PNG bytes, or gray pixels with their size.</summary>
public sealed class ImageRequest
{
    /// <summary>PNG file bytes, or null for pixels.</summary>
    public byte[]? Png { get; init; }

    /// <summary>Row-major gray pixels, 0..255, either polarity (null for a PNG).</summary>
    public float[]? Pixels { get; init; }

    /// <summary>The pixels' width.</summary>
    public int Width { get; init; }

    /// <summary>The pixels' height.</summary>
    public int Height { get; init; }

    /// <summary>
    /// True (the default): MNIST-style preprocessing (invert if needed, crop, scale to 20 px, centre). False: the pixels are
    /// already MNIST-format 28x28 white-on-black and go to the model as they are.
    /// </summary>
    public bool Preprocess { get; init; } = true;
}
