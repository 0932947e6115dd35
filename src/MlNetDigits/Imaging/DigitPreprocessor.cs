namespace MlNetDigits;

/// <summary>
/// Turns an arbitrary image of one handwritten digit into an MNIST-style 28x28 input the way MNIST itself was made
/// (LeCun et al.): white ink on black; the ink's bounding box scaled so its longer side is 20 px, aspect ratio kept, with
/// anti-aliasing; then placed in a 28x28 frame so its centre of mass falls on pixel (14, 14).
/// </summary>
/// <remarks>
/// Steps: (1) invert dark-on-light input (decided from the median of the border pixels) and remove the background
/// level; (2) crop to the bounding box of pixels above <see cref="DigitPreprocessorOptions.InkThreshold"/>; (3) resample
/// so the longer side is <see cref="BoxSize"/> px: area averaging (a box filter weighted by overlap) along an axis that
/// shrinks, bilinear along one that grows; (4) shift by a whole number of pixels so the centre of mass (pixel-index
/// coordinates, as in MNIST where the test set's mean is 13.99) is at (14, 14), clamped so the digit stays in the frame.
/// A 28x28 input goes through the same steps: a user's 28x28 drawing still gets centred, and an MNIST digit, already
/// 20 px on its longer side and centred, comes out nearly unchanged.
/// </remarks>
public static class DigitPreprocessor
{
    /// <summary>The side of the output frame (MNIST: 28).</summary>
    public const int FrameSize = 28;

    /// <summary>The side of the box the digit is scaled to fit (MNIST: 20).</summary>
    public const int BoxSize = 20;

    /// <summary>The pixel (in index coordinates) where the centre of mass is placed.</summary>
    public const float Center = FrameSize / 2f;

    /// <summary>Preprocesses a grayscale image (0..255, either polarity).</summary>
    public static PreprocessedDigit Preprocess(GrayImage image, DigitPreprocessorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new DigitPreprocessorOptions();
        CheckOptions(options);

        // Step 1: white on black, background at 0.
        var whiteOnBlack = ToWhiteOnBlack(image, options, out bool invert, out float background);

        var frame = new GrayImage(FrameSize, FrameSize);
        // Step 2: the ink's bounding box.
        var bounds = InkBox(whiteOnBlack, options.InkThreshold);
        if (bounds is not { } box)
            return new PreprocessedDigit(image, invert, background, whiteOnBlack, null, null, null, (0, 0), (0, 0), frame);
        var cropped = Crop(whiteOnBlack, box);

        // Step 3: longer side to BoxSize, aspect ratio kept.
        int scaledWidth, scaledHeight;
        if (box.Width >= box.Height)
        {
            scaledWidth = BoxSize;
            scaledHeight = Math.Clamp((int)MathF.Round(box.Height * (float)BoxSize / box.Width, MidpointRounding.AwayFromZero), 1, BoxSize);
        }
        else
        {
            scaledHeight = BoxSize;
            scaledWidth = Math.Clamp((int)MathF.Round(box.Width * (float)BoxSize / box.Height, MidpointRounding.AwayFromZero), 1, BoxSize);
        }
        var scaled = Resize(cropped, scaledWidth, scaledHeight);

        // Step 4: centre of mass to (14, 14) by a whole-pixel shift that keeps the digit inside the frame.
        var (cx, cy) = CenterOfMass(scaled);
        int offsetX = Math.Clamp((int)MathF.Round(Center - cx, MidpointRounding.AwayFromZero), 0, FrameSize - scaledWidth);
        int offsetY = Math.Clamp((int)MathF.Round(Center - cy, MidpointRounding.AwayFromZero), 0, FrameSize - scaledHeight);
        for (int y = 0; y < scaledHeight; y++)
            scaled.Pixels.AsSpan(y * scaledWidth, scaledWidth).CopyTo(frame.Pixels.AsSpan((offsetY + y) * FrameSize + offsetX));

        return new PreprocessedDigit(image, invert, background, whiteOnBlack, box, cropped, scaled, (cx, cy), (offsetX, offsetY), frame);
    }

    /// <summary>Preprocesses row-major byte pixels (0..255, either polarity) of any size.</summary>
    public static PreprocessedDigit Preprocess(ReadOnlySpan<byte> pixels, int width, int height, DigitPreprocessorOptions? options = null) =>
        Preprocess(GrayImage.FromBytes(width, height, pixels), options);

    /// <summary>Preprocesses row-major float pixels (0..255, either polarity) of any size.</summary>
    public static PreprocessedDigit Preprocess(ReadOnlySpan<float> pixels, int width, int height, DigitPreprocessorOptions? options = null) =>
        Preprocess(GrayImage.FromFloats(width, height, pixels), options);

    /// <summary>Decodes an image file (PNG, JPEG, ...; see <see cref="ImageCodec"/>) and preprocesses it.</summary>
    public static PreprocessedDigit PreprocessPng(ReadOnlySpan<byte> png, DigitPreprocessorOptions? options = null) =>
        Preprocess(ImageCodec.Decode(png), options);

    /// <summary>The median of the pixels on the image's outer edge: the background level.</summary>
    internal static float BorderMedian(GrayImage image)
    {
        int w = image.Width, h = image.Height;
        var border = new List<float>(2 * (w + h));
        for (int x = 0; x < w; x++)
        {
            border.Add(image.Pixels[x]);
            if (h > 1)
                border.Add(image.Pixels[(h - 1) * w + x]);
        }
        for (int y = 1; y < h - 1; y++)
        {
            border.Add(image.Pixels[y * w]);
            if (w > 1)
                border.Add(image.Pixels[y * w + w - 1]);
        }
        border.Sort();
        int n = border.Count;
        return n % 2 == 1 ? border[n / 2] : (border[n / 2 - 1] + border[n / 2]) / 2f;
    }

    /// <summary>Throws when <paramref name="options"/> holds a value no image could be preprocessed with.</summary>
    internal static void CheckOptions(DigitPreprocessorOptions options)
    {
        if (float.IsNaN(options.InkThreshold) || options.InkThreshold < 0 || options.InkThreshold >= 255)
            throw new ArgumentOutOfRangeException(nameof(options), options.InkThreshold,
                "InkThreshold must be in 0..255 (exclusive of 255); the default is 25.");
    }

    /// <summary>
    /// Step 1: the image as white ink on black with the background level at 0. Inverts when <paramref name="options"/>
    /// say so (by default when the border median is light) and removes the background (the border median after
    /// inversion), stretching the rest back to 0..255.
    /// </summary>
    internal static GrayImage ToWhiteOnBlack(GrayImage image, DigitPreprocessorOptions options, out bool invert, out float background)
    {
        float border = BorderMedian(image);
        invert = options.Inversion switch
        {
            InversionMode.Always => true,
            InversionMode.Never => false,
            _ => border > 127.5f,
        };
        background = options.RemoveBackground ? (invert ? 255f - border : border) : 0f;
        return ToWhiteOnBlack(image, invert, background);
    }

    private static GrayImage ToWhiteOnBlack(GrayImage image, bool invert, float background)
    {
        var result = new float[image.Pixels.Length];
        float gain = background < 255f ? 255f / (255f - background) : 0f;
        for (int i = 0; i < result.Length; i++)
        {
            float v = image.Pixels[i];
            if (!float.IsFinite(v))
                throw new ArgumentException(
                    $"Pixel ({i % image.Width}, {i / image.Width}) is {v}; intensities must be finite numbers in 0..255.", nameof(image));
            v = Math.Clamp(v, 0f, 255f);
            if (invert)
                v = 255f - v;
            result[i] = Math.Clamp((v - background) * gain, 0f, 255f);
        }
        return new GrayImage(image.Width, image.Height, result);
    }

    /// <summary>The bounding box of the pixels above <paramref name="threshold"/>, or null when there are none.</summary>
    internal static PixelRect? InkBox(GrayImage image, float threshold)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                if (image.Pixels[y * image.Width + x] <= threshold)
                    continue;
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y);
                maxY = Math.Max(maxY, y);
            }
        return maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    internal static GrayImage Crop(GrayImage image, PixelRect box)
    {
        var result = new float[box.Width * box.Height];
        for (int y = 0; y < box.Height; y++)
            image.Pixels.AsSpan((box.Y + y) * image.Width + box.X, box.Width).CopyTo(result.AsSpan(y * box.Width));
        return new GrayImage(box.Width, box.Height, result);
    }

    /// <summary>
    /// Resamples to <paramref name="width"/> x <paramref name="height"/>, one axis at a time: area averaging where an axis
    /// shrinks (anti-aliasing: every source pixel contributes in proportion to its overlap), bilinear where it grows.
    /// </summary>
    internal static GrayImage Resize(GrayImage image, int width, int height)
    {
        // horizontal: (H, W) -> (H, width); vertical: (H, width) -> (height, width)
        var across = new float[image.Height * width];
        for (int y = 0; y < image.Height; y++)
            Resample(image.Pixels.AsSpan(y * image.Width, image.Width), 1, across.AsSpan(y * width, width), 1, image.Width, width);
        var result = new float[height * width];
        for (int x = 0; x < width; x++)
            Resample(across.AsSpan(x), width, result.AsSpan(x), width, image.Height, height);
        return new GrayImage(width, height, result);
    }

    /// <summary>Resamples a strided line of <paramref name="n"/> values into <paramref name="m"/> values.</summary>
    private static void Resample(ReadOnlySpan<float> source, int sourceStride, Span<float> target, int targetStride, int n, int m)
    {
        if (m == n)
        {
            for (int i = 0; i < m; i++)
                target[i * targetStride] = source[i * sourceStride];
        }
        else if (m < n)
        {
            // Output i covers source interval [i * n / m, (i + 1) * n / m): average by overlap.
            double step = (double)n / m;
            for (int i = 0; i < m; i++)
            {
                double start = i * step, end = start + step, sum = 0;
                for (int j = (int)start; j < n && j < end; j++)
                    sum += source[j * sourceStride] * (Math.Min(end, j + 1) - Math.Max(start, j));
                target[i * targetStride] = (float)(sum / step);
            }
        }
        else
        {
            // Output pixel centres mapped onto source pixel centres, linear interpolation between neighbours.
            double step = (double)n / m;
            for (int i = 0; i < m; i++)
            {
                double at = Math.Clamp((i + 0.5) * step - 0.5, 0, n - 1);
                int j0 = (int)at, j1 = Math.Min(j0 + 1, n - 1);
                double t = at - j0;
                target[i * targetStride] = (float)(source[j0 * sourceStride] * (1 - t) + source[j1 * sourceStride] * t);
            }
        }
    }

    /// <summary>The intensity-weighted mean pixel position (index coordinates); the geometric centre if the image is black.</summary>
    public static (float X, float Y) CenterOfMass(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        double mass = 0, sx = 0, sy = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                double v = image.Pixels[y * image.Width + x];
                mass += v;
                sx += v * x;
                sy += v * y;
            }
        return mass > 0
            ? ((float)(sx / mass), (float)(sy / mass))
            : ((image.Width - 1) / 2f, (image.Height - 1) / 2f);
    }
}
