
namespace MlNetDigits.Bench.Numbers;

/// <summary>
/// Composes test numbers from MNIST digits: each digit's ink scaled by a random factor, jittered vertically, placed after
/// the previous one with a random gap (a fraction of the two digits' mean width; negative overlaps their boxes), the
/// inks combined by their maximum, the canvas inverted for dark-on-light numbers.
/// </summary>
internal sealed class NumberComposer(byte[][] images, byte[] labels, NumberComposer.Settings settings)
{
    /// <summary>The random ranges.</summary>
    /// <param name="Digits">Digits per number.</param>
    /// <param name="MinScale">Smallest scale factor of a digit (1: MNIST's 20 px box).</param>
    /// <param name="MaxScale">Largest scale factor.</param>
    /// <param name="MinGap">Smallest gap as a fraction of the mean width of the two digits (negative: boxes overlap).</param>
    /// <param name="MaxGap">Largest gap.</param>
    /// <param name="Jitter">Vertical shift of each digit's centre, up to this many pixels either way.</param>
    /// <param name="Polarity">"white" (white ink on black, MNIST), "dark" (dark ink on white) or "mixed" (half each).</param>
    /// <param name="InkThreshold">Where ink starts (0..255) for the true boxes and for touching.</param>
    public sealed record Settings(int Digits, float MinScale, float MaxScale, float MinGap, float MaxGap, float Jitter, string Polarity, float InkThreshold);

    private const int Margin = 10;

    /// <summary>A new number drawn from <paramref name="random"/>.</summary>
    public ComposedNumber Next(Random random)
    {
        int n = settings.Digits;
        var inks = new GrayImage[n];
        var sources = new int[n];
        for (int i = 0; i < n; i++)
        {
            sources[i] = random.Next(images.Length);
            float scale = settings.MinScale + (float)random.NextDouble() * (settings.MaxScale - settings.MinScale);
            inks[i] = Scale(InkCrop(images[sources[i]]), scale);
        }

        // Each ink's columns above the threshold: the gaps are measured between these, not the images' soft borders.
        var inkLeft = new int[n];
        var inkWidth = new int[n];
        for (int i = 0; i < n; i++)
        {
            var ink = inks[i];
            var columns = Enumerable.Range(0, ink.Width)
                .Where(c => Enumerable.Range(0, ink.Height).Any(r => ink.Pixels[r * ink.Width + c] > settings.InkThreshold)).ToArray();
            (inkLeft[i], inkWidth[i]) = columns.Length == 0 ? (0, ink.Width) : (columns[0], columns[^1] - columns[0] + 1);
        }

        // Left ink edges from the random gaps; vertical centres around a common line.
        var xs = new int[n];
        var ys = new int[n];
        var gaps = new float[n - 1];
        int tallest = inks.Max(g => g.Height);
        float centreLine = Margin + settings.Jitter + tallest / 2f;
        float x = Margin; // the left edge of digit i's ink
        for (int i = 0; i < n; i++)
        {
            if (i > 0)
            {
                gaps[i - 1] = settings.MinGap + (float)random.NextDouble() * (settings.MaxGap - settings.MinGap);
                x += inkWidth[i - 1] + gaps[i - 1] * (inkWidth[i - 1] + inkWidth[i]) / 2f;
            }
            xs[i] = (int)MathF.Round(x) - inkLeft[i];
            float shift = (float)(random.NextDouble() * 2 - 1) * settings.Jitter;
            ys[i] = (int)MathF.Round(centreLine + shift - inks[i].Height / 2f);
        }
        int width = Enumerable.Range(0, n).Max(i => xs[i] + inks[i].Width) + Margin;
        int height = (int)MathF.Ceiling(centreLine + settings.Jitter + tallest / 2f) + Margin;

        // Inks combined by their maximum; owner: which digit's ink (above the threshold) covers each pixel, for touching.
        var canvas = new GrayImage(width, height);
        var owners = new int[width * height];
        Array.Fill(owners, -1);
        var touching = new bool[n - 1];
        var digits = new ComposedDigit[n];
        for (int i = 0; i < n; i++)
        {
            var ink = inks[i];
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            for (int y = 0; y < ink.Height; y++)
                for (int dx = 0; dx < ink.Width; dx++)
                {
                    float v = ink.Pixels[y * ink.Width + dx];
                    int cx = xs[i] + dx, cy = ys[i] + y, at = cy * width + cx;
                    canvas.Pixels[at] = Math.Max(canvas.Pixels[at], v);
                    if (v <= settings.InkThreshold)
                        continue;
                    (minX, maxX, minY, maxY) = (Math.Min(minX, cx), Math.Max(maxX, cx), Math.Min(minY, cy), Math.Max(maxY, cy));
                    for (int ny = cy - 1; ny <= cy + 1; ny++)
                        for (int nx = cx - 1; nx <= cx + 1; nx++)
                            if (i > 0 && nx >= 0 && ny >= 0 && nx < width && ny < height && owners[ny * width + nx] == i - 1)
                                touching[i - 1] = true;
                }
            for (int y = 0; y < ink.Height; y++)
                for (int dx = 0; dx < ink.Width; dx++)
                    if (ink.Pixels[y * ink.Width + dx] > settings.InkThreshold)
                        owners[(ys[i] + y) * width + xs[i] + dx] = i;
            var box = new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
            var own = new GrayImage(box.Width, box.Height);
            for (int y = 0; y < box.Height; y++)
                for (int dx = 0; dx < box.Width; dx++)
                    own.Pixels[y * box.Width + dx] = ink.Pixels[(box.Y - ys[i] + y) * ink.Width + box.X - xs[i] + dx];
            digits[i] = new ComposedDigit(labels[sources[i]], sources[i], box, own);
        }

        bool inverted = settings.Polarity switch
        {
            "white" => false,
            "dark" => true,
            _ => random.Next(2) == 1,
        };
        if (inverted)
            for (int i = 0; i < canvas.Pixels.Length; i++)
                canvas.Pixels[i] = 255f - canvas.Pixels[i];
        return new ComposedNumber(canvas, inverted, digits, gaps, touching);
    }

    /// <summary>The 28x28 MNIST image cropped to its nonzero pixels.</summary>
    private static GrayImage InkCrop(byte[] image)
    {
        int minX = 28, minY = 28, maxX = -1, maxY = -1;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (image[y * 28 + x] > 0)
                    (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
        if (maxX < 0)
            return new GrayImage(1, 1);
        var crop = new GrayImage(maxX - minX + 1, maxY - minY + 1);
        for (int y = 0; y < crop.Height; y++)
            for (int x = 0; x < crop.Width; x++)
                crop.Pixels[y * crop.Width + x] = image[(minY + y) * 28 + minX + x];
        return crop;
    }

    /// <summary>
    /// <paramref name="image"/> scaled by <paramref name="factor"/>: each output pixel the mean of 4x4 bilinear samples
    /// spread over the source area it covers (anti-aliased both when shrinking and growing), with a one-pixel border.
    /// </summary>
    private static GrayImage Scale(GrayImage image, float factor)
    {
        int width = Math.Max(1, (int)MathF.Round(image.Width * factor)) + 2, height = Math.Max(1, (int)MathF.Round(image.Height * factor)) + 2;
        float sx = (float)image.Width / (width - 2), sy = (float)image.Height / (height - 2);
        var result = new GrayImage(width, height);
        const int Samples = 4;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                for (int j = 0; j < Samples; j++)
                    for (int i = 0; i < Samples; i++)
                        sum += Bilinear(image, (x - 1 + (i + 0.5f) / Samples) * sx - 0.5f, (y - 1 + (j + 0.5f) / Samples) * sy - 0.5f);
                result.Pixels[y * width + x] = sum / (Samples * Samples);
            }
        return result;
    }

    /// <summary>The image at a fractional pixel position (pixel centres at integers), black outside.</summary>
    private static float Bilinear(GrayImage image, float x, float y)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float tx = x - x0, ty = y - y0;
        float At(int px, int py) => (uint)px < (uint)image.Width && (uint)py < (uint)image.Height ? image.Pixels[py * image.Width + px] : 0f;
        return (1 - ty) * ((1 - tx) * At(x0, y0) + tx * At(x0 + 1, y0)) + ty * ((1 - tx) * At(x0, y0 + 1) + tx * At(x0 + 1, y0 + 1));
    }
}
