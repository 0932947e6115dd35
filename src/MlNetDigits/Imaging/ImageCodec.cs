using SkiaSharp;

namespace MlNetDigits;

/// <summary>
/// Image files to and from <see cref="GrayImage"/>, decoded by SkiaSharp (PNG, JPEG, WebP, BMP, GIF; any colour type and
/// bit depth). Colour becomes luminance 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as MNIST-era tools did) on the
/// file's 8-bit sample values, and transparency is composited over white, so a drawing with a transparent background
/// reads as ink on paper. Images over <see cref="MaxDimension"/> pixels a side are refused from the header, before any
/// pixel is decoded.
/// </summary>
public static class ImageCodec
{
    /// <summary>The largest width or height accepted: 4096 pixels.</summary>
    public const int MaxDimension = 4096;

    /// <summary>Reads the width and height from the file's header without decoding pixels.</summary>
    /// <exception cref="InvalidImageException">The bytes are not an image SkiaSharp can read.</exception>
    public static (int Width, int Height) ReadSize(ReadOnlySpan<byte> file)
    {
        using var data = SKData.CreateCopy(file);
        using var codec = OpenCodec(data, file.Length);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Decodes an image file into grayscale (255 = white, as the file has it).</summary>
    /// <exception cref="InvalidImageException">The bytes are not a readable image, or it is over <see cref="MaxDimension"/> a side.</exception>
    public static GrayImage Decode(ReadOnlySpan<byte> file)
    {
        using var data = SKData.CreateCopy(file);
        using var codec = OpenCodec(data, file.Length);
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
            throw new InvalidImageException($"The image declares a size of {width} x {height} pixels.");
        if (width > MaxDimension || height > MaxDimension)
            throw new InvalidImageException($"The image is {width} x {height} pixels; images over {MaxDimension} pixels a side are refused. Scale it down first.");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[checked(width * height * 4)];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba)
                result = codec.GetPixels(info, (IntPtr)p);
        }
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new InvalidImageException($"The image could not be decoded ({result}): the file is corrupt or truncated.");
        if (result == SKCodecResult.IncompleteInput)
            throw new InvalidImageException("The image is truncated: its data ends before the last row.");
        var pixels = new float[width * height];
        for (int i = 0; i < pixels.Length; i++)
        {
            int r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2], a = rgba[4 * i + 3];
            float luminance = r == g && g == b ? r : 0.299f * r + 0.587f * g + 0.114f * b;
            pixels[i] = a == 255 ? luminance : luminance * (a / 255f) + 255f * (1 - a / 255f);
        }
        return new GrayImage(width, height, pixels);
    }

    /// <summary>Decodes an image read from <paramref name="stream"/> (to its end; at most 64 MB).</summary>
    public static GrayImage Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (copy.Length + read > 64 << 20)
                throw new InvalidImageException("The image file is over 64 MB; refusing to read it.");
            copy.Write(buffer, 0, read);
        }
        return Decode(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>Decodes the image file at <paramref name="path"/>.</summary>
    public static GrayImage DecodeFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No image file at '{path}'.", path);
        using var file = File.OpenRead(path);
        return Decode(file);
    }

    /// <summary>Encodes <paramref name="image"/> as an 8-bit grayscale PNG (intensities rounded and clamped to 0..255).</summary>
    public static byte[] EncodePng(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var bytes = image.ToBytes();
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static SKCodec OpenCodec(SKData data, int length)
    {
        if (length == 0)
            throw new InvalidImageException("The image file is empty.");
        return SKCodec.Create(data) ?? throw new InvalidImageException(
            $"The {length:N0} bytes are not an image file SkiaSharp can read (PNG, JPEG, WebP, BMP or GIF); the file may be corrupt or truncated.");
    }
}
