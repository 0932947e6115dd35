namespace MlNetDigits;

/// <summary>
/// A grayscale image: <see cref="Width"/> x <see cref="Height"/> float intensities in 0..255, row-major
/// (pixel (x, y) at <c>y * Width + x</c>). Whether 255 means paper or ink depends on the producer:
/// <see cref="ImageCodec"/> keeps the file's sense (255 = white); <see cref="DigitPreprocessor"/> outputs white ink on
/// black, like MNIST.
/// </summary>
public sealed class GrayImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public GrayImage(int width, int height, float[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"An image needs a positive size; found {width} x {height}.");
        if ((long)width * height != pixels.Length)
            throw new ArgumentException(
                $"A {width} x {height} image needs {(long)width * height} pixels; found {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>A black (all-zero) <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public GrayImage(int width, int height) : this(width, height, new float[checked(width * height)]) { }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The intensities, row-major, 0..255. // pixels: (Height, Width)</summary>
    public float[] Pixels { get; }

    /// <summary>The intensity at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public float this[int x, int y]
    {
        get => Pixels[CheckedIndex(x, y)];
        set => Pixels[CheckedIndex(x, y)] = value;
    }

    /// <summary>Copies byte intensities (0..255) into a new image.</summary>
    public static GrayImage FromBytes(int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (width <= 0 || height <= 0 || (long)width * height != pixels.Length)
            throw new ArgumentException(
                $"A {width} x {height} image needs {(long)width * height} pixels; found {pixels.Length}.", nameof(pixels));
        var values = new float[pixels.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = pixels[i];
        return new GrayImage(width, height, values);
    }

    /// <summary>Copies float intensities into a new image.</summary>
    public static GrayImage FromFloats(int width, int height, ReadOnlySpan<float> pixels)
    {
        if (width <= 0 || height <= 0 || (long)width * height != pixels.Length)
            throw new ArgumentException(
                $"A {width} x {height} image needs {(long)width * height} pixels; found {pixels.Length}.", nameof(pixels));
        return new GrayImage(width, height, pixels.ToArray());
    }

    /// <summary>The intensities rounded and clamped to bytes (0..255), row-major.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Pixels.Length];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)Math.Clamp(MathF.Round(Pixels[i]), 0f, 255f);
        return bytes;
    }

    /// <summary>A deep copy.</summary>
    public GrayImage Clone() => new(Width, Height, (float[])Pixels.Clone());

    private int CheckedIndex(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside the {Width} x {Height} image.");
        return y * Width + x;
    }
}
