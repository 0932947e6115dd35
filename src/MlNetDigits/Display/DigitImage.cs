using System.Globalization;
using MlNetDigits.Data;
using MlNetDigits.Imaging;

namespace MlNetDigits.Display;

/// <summary>
/// A small grayscale image (a digit) for display: 8-bit pixels shown as an inline PNG (a data URI written by
/// <see cref="PngEncoder"/>), scaled up without smoothing, with an optional caption.
/// </summary>
[TypeFormatterSource(typeof(DisplayFormatterSource))]
public sealed class DigitImage : IHtmlContent
{
    private readonly byte[] _pixels;

    /// <summary>Wraps 8-bit pixels (row-major, 0 = black; MNIST draws white ink on black).</summary>
    public DigitImage(byte[] pixels, int width = 28, int height = 28, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0 || (long)width * height != pixels.Length)
            throw new ArgumentException($"A {width} x {height} image needs {(long)width * height} pixels; found {pixels.Length}.", nameof(pixels));
        _pixels = pixels;
        Width = width;
        Height = height;
        Caption = caption;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Text under the image (a label, a score); null for none.</summary>
    public string? Caption { get; set; }

    /// <summary>Length in CSS pixels of the image's longer side on screen (56 shows a 28x28 digit at twice its size).</summary>
    public int DisplaySize { get; set; } = 56;

    /// <summary>The pixels, row-major (a copy).</summary>
    public byte[] GetPixels() => (byte[])_pixels.Clone();

    /// <summary>
    /// An image of float pixels. <paramref name="range"/> says how they map to 0..255: <see cref="PixelRange.Auto"/> keeps
    /// 0..255 values, scales 0..1 values by 255 and stretches anything else from its minimum to its maximum.
    /// </summary>
    public static DigitImage FromFloats(ReadOnlySpan<float> pixels, int width = 28, int height = 28, string? caption = null, PixelRange range = PixelRange.Auto)
    {
        if ((long)width * height != pixels.Length)
            throw new ArgumentException($"A {width} x {height} image needs {(long)width * height} pixels; found {pixels.Length}.", nameof(pixels));
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var p in pixels)
        {
            if (!float.IsFinite(p))
                continue;
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }
        if (range == PixelRange.Auto)
            range = min >= 0 && max <= 1 ? PixelRange.Unit : min >= 0 && max <= 255 ? PixelRange.Bytes : PixelRange.Stretch;
        (float offset, float scale) = range switch
        {
            PixelRange.Unit => (0f, 255f),
            PixelRange.Stretch => max > min ? (min, 255f / (max - min)) : (min, 0f),
            _ => (0f, 1f),
        };
        var bytes = new byte[pixels.Length];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = float.IsFinite(pixels[i]) ? (byte)Math.Clamp(MathF.Round((pixels[i] - offset) * scale), 0, 255) : (byte)0;
        return new DigitImage(bytes, width, height, caption);
    }

    /// <summary>An image of a data view's image vector (e.g. the "Image" column): its shape from <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static DigitImage FromVector(VBuffer<float> pixels, int width = 28, int height = 28, string? caption = null, PixelRange range = PixelRange.Auto) =>
        FromFloats(pixels.GetValues(), width, height, caption, range);

    /// <summary>An image of <paramref name="image"/>, its intensities (0..255) rounded and clamped.</summary>
    public static DigitImage FromGrayImage(GrayImage image, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new DigitImage(image.ToBytes(), image.Width, image.Height, caption);
    }

    /// <summary>The image as a grayscale PNG file.</summary>
    public byte[] ToPng() => PngEncoder.EncodeGray(Width, Height, _pixels);

    /// <summary>The PNG as a <c>data:image/png;base64,...</c> URI for an HTML <c>img</c>.</summary>
    public string ToDataUri() => "data:image/png;base64," + Convert.ToBase64String(ToPng());

    /// <summary>An <c>img</c> (scaled with nearest-neighbour sampling), in a figure with the caption when there is one.</summary>
    public string ToHtml()
    {
        var scale = (double)DisplaySize / Math.Max(Width, Height);
        var w = Math.Max(1, (int)Math.Round(Width * scale));
        var h = Math.Max(1, (int)Math.Round(Height * scale));
        var alt = Html.Encode(Caption ?? $"{Width}x{Height} image");
        var img = string.Create(CultureInfo.InvariantCulture,
            $"<img src=\"{ToDataUri()}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}\" style=\"image-rendering:pixelated;image-rendering:crisp-edges;border:1px solid #888\"/>");
        if (string.IsNullOrEmpty(Caption))
            return img;
        return $"<figure style=\"display:inline-block;margin:2px;text-align:center\">{img}<figcaption style=\"font-family:monospace;font-size:11px\">{Html.Encode(Caption)}</figcaption></figure>";
    }

    public override string ToString() => string.IsNullOrEmpty(Caption) ? $"DigitImage {Width}x{Height}" : $"DigitImage {Width}x{Height} ({Caption})";
}
