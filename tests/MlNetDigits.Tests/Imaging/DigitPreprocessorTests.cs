
namespace MlNetDigits.Tests;

public class DigitPreprocessorTests
{
    private static readonly (float, float, float, float)[] Seven = [(0f, 0f, 1f, 0f), (1f, 0f, 0.35f, 1f)];
    private static readonly (float, float, float, float)[] One = [(0.2f, 0.2f, 0.5f, 0f), (0.5f, 0f, 0.5f, 1f)];
    private static readonly (float, float, float, float)[] Zero = Ellipse(24);

    private static (float, float, float, float)[] Ellipse(int segments) =>
        Enumerable.Range(0, segments).Select(i =>
        {
            double a0 = 2 * Math.PI * i / segments, a1 = 2 * Math.PI * (i + 1) / segments;
            return ((float)(0.5 + 0.5 * Math.Cos(a0)), (float)(0.5 + 0.5 * Math.Sin(a0)),
                (float)(0.5 + 0.5 * Math.Cos(a1)), (float)(0.5 + 0.5 * Math.Sin(a1)));
        }).ToArray();

    /// <summary>
    /// Draws anti-aliased strokes (given in the unit square) into the rectangle (left, top, width, height) of a canvas:
    /// white ink on black, or dark ink on white paper when <paramref name="darkOnLight"/>.
    /// </summary>
    private static GrayImage Draw(int canvasWidth, int canvasHeight, float left, float top, float width, float height,
        float thickness, bool darkOnLight, (float X0, float Y0, float X1, float Y1)[] strokes)
    {
        var image = new GrayImage(canvasWidth, canvasHeight);
        for (int y = 0; y < canvasHeight; y++)
            for (int x = 0; x < canvasWidth; x++)
            {
                float px = x + 0.5f, py = y + 0.5f, distance = float.MaxValue;
                foreach (var (x0, y0, x1, y1) in strokes)
                    distance = Math.Min(distance, SegmentDistance(px, py,
                        left + x0 * width, top + y0 * height, left + x1 * width, top + y1 * height));
                float ink = 255f * Math.Clamp(thickness / 2 - distance + 0.5f, 0f, 1f);
                image[x, y] = darkOnLight ? 255f - ink : ink;
            }
        return image;
    }

    private static float SegmentDistance(float px, float py, float ax, float ay, float bx, float by)
    {
        float dx = bx - ax, dy = by - ay, length2 = dx * dx + dy * dy;
        float t = length2 == 0 ? 0 : Math.Clamp(((px - ax) * dx + (py - ay) * dy) / length2, 0f, 1f);
        float cx = ax + t * dx - px, cy = ay + t * dy - py;
        return MathF.Sqrt(cx * cx + cy * cy);
    }

    private static float Sum(GrayImage image) => image.Pixels.Sum();

    /// <summary>The MNIST conventions every preprocessed digit must meet.</summary>
    private static void AssertMnistLike(PreprocessedDigit digit)
    {
        Assert.True(digit.HasInk);
        Assert.Equal((28, 28), (digit.Final.Width, digit.Final.Height));
        var scaled = digit.Scaled!;
        Assert.Equal(20, Math.Max(scaled.Width, scaled.Height));
        Assert.InRange(Math.Min(scaled.Width, scaled.Height), 1, 20);
        Assert.InRange(digit.Offset.X, 0, 28 - scaled.Width);
        Assert.InRange(digit.Offset.Y, 0, 28 - scaled.Height);
        var box = DigitPreprocessor.InkBox(digit.Final, 0f)!.Value;
        Assert.InRange(Math.Max(box.Width, box.Height), 19, 20);
        var (cx, cy) = DigitPreprocessor.CenterOfMass(digit.Final);
        Assert.InRange(cx, 13.5f, 14.5f);
        Assert.InRange(cy, 13.5f, 14.5f);
        Assert.Equal(Sum(scaled), Sum(digit.Final), 2); // nothing cut off by the frame
        Assert.All(digit.Final.Pixels, p => Assert.InRange(p, 0f, 255f));
    }

    public static TheoryData<string> Drawings() => ["off-centre", "tiny", "huge", "inverted", "wide canvas", "tall canvas", "one"];

    private static GrayImage Drawing(string name) => name switch
    {
        "off-centre" => Draw(200, 200, 8, 10, 50, 60, 8, false, Seven),
        "tiny" => Draw(120, 90, 80, 50, 6, 9, 1.5f, false, Seven),
        "huge" => Draw(400, 400, 20, 10, 360, 380, 40, false, Zero),
        "inverted" => Draw(150, 150, 90, 20, 40, 70, 7, true, Seven),
        "wide canvas" => Draw(300, 60, 200, 5, 70, 45, 6, true, Zero),
        "tall canvas" => Draw(50, 240, 4, 12, 30, 90, 5, false, Seven),
        "one" => Draw(100, 100, 40, 10, 12, 80, 6, true, One),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Drawings))]
    public void Preprocess_LandsHandMadeDigitCentredInTwentyPixelBox(string name)
    {
        var digit = DigitPreprocessor.Preprocess(Drawing(name));

        AssertMnistLike(digit);
    }

    [Theory]
    [MemberData(nameof(Drawings))]
    public void Preprocess_KeepsAspectRatio(string name)
    {
        var digit = DigitPreprocessor.Preprocess(Drawing(name));

        var cropped = digit.Cropped!;
        var scaled = digit.Scaled!;
        float expectedShort = 20f * Math.Min(cropped.Width, cropped.Height) / Math.Max(cropped.Width, cropped.Height);
        Assert.InRange(Math.Min(scaled.Width, scaled.Height), expectedShort - 0.5f, expectedShort + 0.5f);
        Assert.Equal(cropped.Width >= cropped.Height, scaled.Width >= scaled.Height);
    }

    [Theory]
    [InlineData("off-centre")]
    [InlineData("huge")]
    [InlineData("wide canvas")]
    public void Preprocess_PreservesInkWhenShrinking(string name)
    {
        var digit = DigitPreprocessor.Preprocess(Drawing(name));

        // Area averaging keeps the mean: the ink scales exactly with the area ratio.
        var cropped = digit.Cropped!;
        var scaled = digit.Scaled!;
        float areaRatio = (float)(scaled.Width * scaled.Height) / (cropped.Width * cropped.Height);
        Assert.True(cropped.Width > scaled.Width && cropped.Height > scaled.Height);
        Assert.Equal(1f, Sum(scaled) / (Sum(cropped) * areaRatio), 3);
    }

    [Fact]
    public void Preprocess_InvertsDarkInkOnLightBackground()
    {
        var light = DigitPreprocessor.Preprocess(Draw(90, 70, 12, 8, 30, 50, 5, darkOnLight: true, Seven));
        var dark = DigitPreprocessor.Preprocess(Draw(90, 70, 12, 8, 30, 50, 5, darkOnLight: false, Seven));

        Assert.True(light.Inverted);
        Assert.False(dark.Inverted);
        for (int i = 0; i < 784; i++)
            Assert.Equal(dark.Pixels[i], light.Pixels[i], 3);
    }

    [Fact]
    public void Preprocess_GivesSameResultWhereverDigitIsDrawn()
    {
        var topLeft = DigitPreprocessor.Preprocess(Draw(200, 160, 5, 3, 40, 55, 6, false, Zero));
        var bottomRight = DigitPreprocessor.Preprocess(Draw(200, 160, 150, 100, 40, 55, 6, false, Zero));

        var box = topLeft.InkBounds!.Value;
        Assert.Equal(box with { X = box.X + 145, Y = box.Y + 97 }, bottomRight.InkBounds);
        for (int i = 0; i < 784; i++)
            Assert.Equal(topLeft.Pixels[i], bottomRight.Pixels[i], tolerance: 0.01f); // equal up to float rounding of the drawing
    }

    [Fact]
    public void Preprocess_GivesSimilarResultForTinyAndHugeDrawingOfSameDigit()
    {
        var tiny = DigitPreprocessor.Preprocess(Draw(60, 60, 20, 20, 12, 16, 1.6f, false, Seven));
        var huge = DigitPreprocessor.Preprocess(Draw(400, 400, 20, 20, 300, 400 - 40, 40, false, Seven));

        double meanAbsolute = tiny.Pixels.Zip(huge.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanAbsolute < 20, $"mean absolute difference {meanAbsolute:F1} of 255");
        Assert.Equal(tiny.Scaled!.Width, huge.Scaled!.Width, tolerance: 1);
    }

    [Fact]
    public void Preprocess_CentresDigitDrawnInCornerOf28x28Canvas()
    {
        var drawing = Draw(28, 28, 0, 0, 12, 16, 2.5f, true, Seven);

        var digit = DigitPreprocessor.Preprocess(drawing);

        AssertMnistLike(digit);
        Assert.True(digit.Offset.X > 2 && digit.Offset.Y > 2);
    }

    [Fact]
    public void Preprocess_RemovesGrayPaperBackground()
    {
        // Dark pencil (40) on gray paper (180), with the paper level measured from the border.
        var ink = Draw(120, 100, 30, 20, 40, 60, 6, false, Seven);
        var photo = new GrayImage(120, 100, ink.Pixels.Select(v => 180f - v * (140f / 255f)).ToArray());

        var digit = DigitPreprocessor.Preprocess(photo);

        Assert.True(digit.Inverted);
        Assert.Equal(75f, digit.Background, 3);
        Assert.Equal(0f, digit.WhiteOnBlack[0, 0]);
        Assert.Equal(ink.Pixels.Max() * 140f / 255f * 255f / 180f, digit.WhiteOnBlack.Pixels.Max(), 2);
        AssertMnistLike(digit);
    }

    [Fact]
    public void Preprocess_IgnoresFaintNoiseWhenFindingInk()
    {
        var clean = Draw(80, 80, 25, 15, 30, 45, 5, false, Seven);
        var random = new Random(14);
        var noisy = new GrayImage(80, 80, clean.Pixels.Select(v => Math.Min(255f, v + random.Next(0, 20))).ToArray());

        var digit = DigitPreprocessor.Preprocess(noisy);

        Assert.Equal(DigitPreprocessor.InkBox(clean, 0f), digit.InkBounds);
        AssertMnistLike(digit);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(255f)]
    [InlineData(10f)]
    public void Preprocess_FlagsImageWithoutInk(float level)
    {
        var blank = new GrayImage(50, 30, Enumerable.Repeat(level, 1500).ToArray());

        var digit = DigitPreprocessor.Preprocess(blank);

        Assert.False(digit.HasInk);
        Assert.Null(digit.Cropped);
        Assert.Null(digit.Scaled);
        Assert.All(digit.Pixels, p => Assert.Equal(0f, p));
        Assert.Equal(784, digit.Pixels.Length);
    }

    [Fact]
    public void Preprocess_HonoursInversionMode()
    {
        var dark = Draw(60, 60, 10, 10, 30, 40, 5, false, Seven);

        var forced = DigitPreprocessor.Preprocess(dark, new DigitPreprocessorOptions { Inversion = InversionMode.Always });
        var never = DigitPreprocessor.Preprocess(dark, new DigitPreprocessorOptions { Inversion = InversionMode.Never });

        Assert.True(forced.Inverted);
        Assert.False(forced.HasInk); // white-on-black read as dark ink on light paper: the "paper" is the ink, nothing stands out
        Assert.False(never.Inverted);
        AssertMnistLike(never);
    }

    [Fact]
    public void Preprocess_ThrowsGivenInvalidThreshold() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            DigitPreprocessor.Preprocess(new GrayImage(5, 5), new DigitPreprocessorOptions { InkThreshold = 300 }));

    [Fact]
    public void Preprocess_ThrowsGivenNonFinitePixel()
    {
        var image = new GrayImage(4, 3);
        image[2, 1] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() => DigitPreprocessor.Preprocess(image));

        Assert.Contains("Pixel (2, 1) is NaN", error.Message);
    }

    [Fact]
    public void Preprocess_AcceptsBytesFloatsAndPngAlike()
    {
        var drawing = Draw(45, 35, 10, 4, 20, 26, 4, true, Zero);
        var bytes = drawing.ToBytes();

        var fromImage = DigitPreprocessor.Preprocess(GrayImage.FromBytes(45, 35, bytes));
        var fromBytes = DigitPreprocessor.Preprocess(bytes, 45, 35);
        var fromFloats = DigitPreprocessor.Preprocess(bytes.Select(b => (float)b).ToArray(), 45, 35);
        var fromPng = DigitPreprocessor.PreprocessPng(ImageCodec.EncodePng(GrayImage.FromBytes(45, 35, bytes)));

        Assert.Equal(fromImage.Pixels, fromBytes.Pixels);
        Assert.Equal(fromImage.Pixels, fromFloats.Pixels);
        Assert.Equal(fromImage.Pixels, fromPng.Pixels);
        AssertMnistLike(fromPng);
    }

    [Fact]
    public void PreprocessPng_HandlesCanvasDrawingWithTransparentBackground()
    {
        // What a browser canvas gives: transparent everywhere except opaque black strokes (anti-aliased by alpha).
        var ink = Draw(140, 100, 70, 10, 35, 60, 6, false, Seven);
        var png = PngBuilderRgba(ink);

        var digit = DigitPreprocessor.PreprocessPng(png);

        Assert.True(digit.Inverted);
        AssertMnistLike(digit);
        var reference = DigitPreprocessor.Preprocess(ink);
        double meanAbsolute = digit.Pixels.Zip(reference.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanAbsolute < 0.5, $"mean absolute difference {meanAbsolute}");
    }

    private static byte[] PngBuilderRgba(GrayImage ink) =>
        TestPngs.Rgba(ink.Width, ink.Height, (x, y) => (0, 0, 0, (byte)MathF.Round(ink[x, y])));

    [Fact]
    public void Resize_AveragesAreasWhenShrinking()
    {
        var image = new GrayImage(4, 4, [0, 4, 8, 8, 4, 0, 8, 8, 1, 1, 2, 2, 1, 1, 2, 6]);

        var half = DigitPreprocessor.Resize(image, 2, 2);

        Assert.Equal([2f, 8f, 1f, 3f], half.Pixels);
        var third = DigitPreprocessor.Resize(new GrayImage(3, 1, [30, 60, 90]), 2, 1);
        Assert.Equal((30f + 0.5f * 60f) / 1.5f, third.Pixels[0], 4);
        Assert.Equal((0.5f * 60f + 90f) / 1.5f, third.Pixels[1], 4);
    }

    [Fact]
    public void Resize_InterpolatesBilinearlyWhenEnlarging()
    {
        var doubled = DigitPreprocessor.Resize(new GrayImage(2, 1, [0, 100]), 4, 1);

        Assert.Equal([0f, 25f, 75f, 100f], doubled.Pixels);
        var constant = DigitPreprocessor.Resize(new GrayImage(3, 2, Enumerable.Repeat(7f, 6).ToArray()), 17, 11);
        Assert.All(constant.Pixels, p => Assert.Equal(7f, p, 4));
    }

    [Fact]
    public void Preprocess_LeavesMnistSampleDigitsNearlyUnchanged()
    {
        var images = MnistSample.TestImages(300);
        int unchanged = 0;
        double totalDifference = 0;
        foreach (var pixels in images)
        {
            var original = GrayImage.FromBytes(28, 28, pixels);

            var digit = DigitPreprocessor.Preprocess(original);

            Assert.False(digit.Inverted);
            AssertMnistLike(digit);
            float threshold = DigitPreprocessorOptions.Defaults.InkThreshold;
            var before = DigitPreprocessor.InkBox(original, threshold)!.Value;
            var after = DigitPreprocessor.InkBox(digit.Final, threshold)!.Value;
            Assert.InRange(after.Width, before.Width - 1, before.Width + 1);
            Assert.InRange(after.Height, before.Height - 1, before.Height + 1);
            double difference = original.Pixels.Zip(digit.Pixels, (a, b) => Math.Abs(a - b)).Average();
            totalDifference += difference;
            if (difference < 0.05)
                unchanged++;
        }
        Console.WriteLine($"MNIST sample: {unchanged} of {images.Length} unchanged, mean absolute change {totalDifference / images.Length:F3}");
        Assert.True(unchanged > images.Length * 9 / 10, $"only {unchanged} of {images.Length} sample digits came out unchanged");
        Assert.True(totalDifference / images.Length < 0.1, $"mean absolute change {totalDifference / images.Length:F2} of 255");
    }
}
