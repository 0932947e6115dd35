using MlNetDigits;
using SkiaSharp;

/// <summary>
/// Generated images that are not digits, drawn like the web app's pad draws a user's strokes: a 280x280 white canvas,
/// black round-capped strokes about 280 / 14 = 20 px wide (here 14..26 px). Every set is drawn from one seeded
/// <see cref="Random"/>, so the same seed gives the same images.
/// </summary>
internal static class NonDigitImages
{
    public const int Side = 280;

    /// <summary>The DejaVu faces the letters are drawn in (those installed; Debian's fonts-dejavu-core and -extra).</summary>
    public static readonly string[] FontFiles =
    [
        "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansCondensed.ttf",
        "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf",
    ];

    private const string FontFolder = "/usr/share/fonts/truetype/dejavu";

    /// <summary>Blank canvases: white, uniform light gray, or light gray with faint noise (all below the ink threshold once the background is removed).</summary>
    public static List<GrayImage> Blank(int count, Random random)
    {
        var images = new List<GrayImage>(count);
        for (int i = 0; i < count; i++)
        {
            float level = i % 3 == 0 ? 255 : random.Next(180, 256);
            float noise = i % 3 == 2 ? 6 : 0;
            var pixels = new float[Side * Side];
            for (int p = 0; p < pixels.Length; p++)
                pixels[p] = Math.Clamp(level + (float)(random.NextDouble() * 2 - 1) * noise, 0, 255);
            images.Add(new GrayImage(Side, Side, pixels));
        }
        return images;
    }

    /// <summary>Dots: a single click of the brush, a larger blot (10..40 px), or two or three clicks scattered over the canvas.</summary>
    public static List<GrayImage> Dots(int count, Random random)
    {
        var images = new List<GrayImage>(count);
        for (int i = 0; i < count; i++)
        {
            images.Add(Draw(canvas =>
            {
                int dots = i % 3 == 2 ? random.Next(2, 4) : 1;
                for (int d = 0; d < dots; d++)
                {
                    float diameter = i % 3 == 1 ? random.Next(10, 41) : Brush(random);
                    using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Fill };
                    canvas.DrawCircle(random.Next(30, Side - 30), random.Next(30, Side - 30), diameter / 2, paint);
                }
            }));
        }
        return images;
    }

    /// <summary>
    /// Straight strokes 60..240 px long at an angle at least <paramref name="minimumDegreesFromVertical"/> from vertical:
    /// a near-vertical stroke is how people write "1", so it is not a non-digit.
    /// </summary>
    public static List<GrayImage> Lines(int count, Random random, double minimumDegreesFromVertical)
    {
        var images = new List<GrayImage>(count);
        double maximumFromHorizontal = 90 - minimumDegreesFromVertical;
        for (int i = 0; i < count; i++)
        {
            double angle = (random.NextDouble() * 2 - 1) * maximumFromHorizontal * Math.PI / 180;
            double length = random.Next(60, 241);
            double cx = random.Next(100, Side - 100), cy = random.Next(100, Side - 100);
            float dx = (float)(Math.Cos(angle) * length / 2), dy = (float)(Math.Sin(angle) * length / 2);
            using var paint = Stroke(Brush(random));
            images.Add(Draw(canvas => canvas.DrawLine((float)cx - dx, (float)cy - dy, (float)cx + dx, (float)cy + dy, paint)));
        }
        return images;
    }

    /// <summary>Scribbles: a smooth curve through 4..8 random points, or a zigzag of 4..8 segments, over most of the canvas.</summary>
    public static List<GrayImage> Scribbles(int count, Random random)
    {
        var images = new List<GrayImage>(count);
        for (int i = 0; i < count; i++)
        {
            int points = random.Next(4, 9);
            var p = new SKPoint[points];
            for (int k = 0; k < points; k++)
                p[k] = new SKPoint(random.Next(30, Side - 30), random.Next(30, Side - 30));
            bool smooth = i % 2 == 0;
            images.Add(Draw(canvas =>
            {
                using var builder = new SKPathBuilder();
                builder.MoveTo(p[0]);
                if (smooth)
                {
                    // Catmull-Rom through the points, as cubic Beziers.
                    for (int k = 0; k < points - 1; k++)
                    {
                        var p0 = p[Math.Max(k - 1, 0)];
                        var p3 = p[Math.Min(k + 2, points - 1)];
                        var c1 = new SKPoint(p[k].X + (p[k + 1].X - p0.X) / 6, p[k].Y + (p[k + 1].Y - p0.Y) / 6);
                        var c2 = new SKPoint(p[k + 1].X - (p3.X - p[k].X) / 6, p[k + 1].Y - (p3.Y - p[k].Y) / 6);
                        builder.CubicTo(c1, c2, p[k + 1]);
                    }
                }
                else
                {
                    for (int k = 1; k < points; k++)
                        builder.LineTo(p[k]);
                }
                using var path = builder.Detach();
                using var paint = Stroke(Brush(random));
                canvas.DrawPath(path, paint);
            }));
        }
        return images;
    }

    /// <summary>Every letter A..Z and a..z in every face of <see cref="FontFiles"/>, about 200 px tall, centred.</summary>
    public static List<(string Letter, GrayImage Image)> Letters()
    {
        var images = new List<(string, GrayImage)>();
        foreach (var file in FontFiles)
        {
            var path = Path.Combine(FontFolder, file);
            if (!File.Exists(path))
                throw new FileNotFoundException($"The letters are drawn in the DejaVu fonts; '{path}' is missing (apt-get install fonts-dejavu-core fonts-dejavu-extra).", path);
            using var typeface = SKTypeface.FromFile(path);
            using var font = new SKFont(typeface, 200);
            foreach (var letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
            {
                var text = letter.ToString();
                font.MeasureText(text, out var bounds);
                images.Add((text, Draw(canvas =>
                {
                    using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
                    canvas.DrawText(text, Side / 2f - bounds.MidX, Side / 2f - bounds.MidY, SKTextAlign.Left, font, paint);
                })));
            }
        }
        return images;
    }

    private static float Brush(Random random) => random.Next(14, 27);

    private static SKPaint Stroke(float width) => new()
    {
        Color = SKColors.Black,
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        StrokeWidth = width,
        StrokeCap = SKStrokeCap.Round,
        StrokeJoin = SKStrokeJoin.Round,
    };

    /// <summary>A white 280x280 canvas after <paramref name="draw"/>, as gray pixels (the red channel of RGBA).</summary>
    private static GrayImage Draw(Action<SKCanvas> draw)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            draw(canvas);
        }
        var rgba = bitmap.GetPixelSpan();
        var gray = new float[Side * Side];
        for (int i = 0; i < gray.Length; i++)
            gray[i] = rgba[i * 4];
        return new GrayImage(Side, Side, gray);
    }
}
