using SkiaSharp;

namespace MlNetDigits.Tests;

/// <summary>PNG files made with SkiaSharp for tests: any RGBA content, written independently of the library's codec.</summary>
internal static class TestPngs
{
    /// <summary>An 8-bit RGBA PNG whose pixel (x, y) is <paramref name="pixel"/>(x, y), alpha not premultiplied.</summary>
    public static byte[] Rgba(int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> pixel)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                bitmap.SetPixel(x, y, new SKColor(r, g, b, a));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
