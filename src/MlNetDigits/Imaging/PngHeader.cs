namespace MlNetDigits.Imaging;

/// <summary>The PNG colour types (IHDR byte 9).</summary>
internal enum PngColorType : byte
{
    Gray = 0,
    Rgb = 2,
    Palette = 3,
    GrayAlpha = 4,
    Rgba = 6,
}

/// <summary>A validated IHDR: size, colour type, bit depth and interlace method.</summary>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
{
    /// <summary>Samples per pixel: 1 (gray, palette index), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).</summary>
    public int Channels => ColorType switch
    {
        PngColorType.Gray or PngColorType.Palette => 1,
        PngColorType.GrayAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    /// <summary>Bits per pixel in a scanline.</summary>
    public int BitsPerPixel => Channels * BitDepth;

    /// <summary>The byte distance to the "left" pixel used by the filters: bytes per pixel, at least 1.</summary>
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    /// <summary>Bytes in one scanline of <paramref name="pixels"/> pixels, without the filter-type byte.</summary>
    public int RowBytes(int pixels) => (int)(((long)pixels * BitsPerPixel + 7) / 8);

    /// <summary>
    /// The exact size of the inflated image data: every pass's rows, each with its filter-type byte.
    /// Bounded by (1 + 4096 * 8) * 4096 bytes (134 MB) at <see cref="PngDecoder.MaxDimension"/>.
    /// </summary>
    public long InflatedSize()
    {
        long size = 0;
        foreach (var pass in Adam7.PassesFor(Interlaced))
        {
            var (w, h) = pass.Size(Width, Height);
            if (w > 0 && h > 0)
                size += (long)h * (1 + RowBytes(w));
        }
        return size;
    }
}

/// <summary>One pass of the Adam7 interlace (or the single full pass of a non-interlaced image).</summary>
internal readonly record struct Adam7(int X0, int Y0, int Dx, int Dy)
{
    /// <summary>The seven Adam7 passes, in file order.</summary>
    public static readonly Adam7[] Passes =
    [
        new(0, 0, 8, 8), new(4, 0, 8, 8), new(0, 4, 4, 8), new(2, 0, 4, 4),
        new(0, 2, 2, 4), new(1, 0, 2, 2), new(0, 1, 1, 2),
    ];

    private static readonly Adam7[] Single = [new(0, 0, 1, 1)];

    public static Adam7[] PassesFor(bool interlaced) => interlaced ? Passes : Single;

    /// <summary>The pass's size in pixels for a <paramref name="width"/> x <paramref name="height"/> image (may be 0).</summary>
    public (int Width, int Height) Size(int width, int height) =>
        ((width - X0 + Dx - 1) / Dx, (height - Y0 + Dy - 1) / Dy);
}
