
namespace MlNetDigits.Tests.Imaging;

/// <summary>
/// NumberSegmenter on numbers drawn from the committed MNIST sample: each digit's ink pasted onto a wide canvas at a known
/// place, so the true box of every digit is known. No model is involved: where a recogniser is needed a stand-in gives it.
/// </summary>
public class NumberSegmenterTests
{
    private const float Ink = DigitPreprocessorOptions.Defaults.InkThreshold;
    private static readonly byte[][] Images = MnistSample.TestImages(1000);
    private static readonly byte[] Labels = MnistSample.TestLabels(1000);

    /// <summary>The first sample digits with these labels, in order (a label twice gives the first two of it).</summary>
    private static int[] Digits(params int[] labels) =>
        labels.Select((label, i) => Enumerable.Range(0, Labels.Length).Where(k => Labels[k] == label)
            .Skip(labels.Take(i).Count(l => l == label)).First()).ToArray();

    /// <summary>The box of the pixels above the ink threshold in a 28x28 sample image.</summary>
    private static PixelRect InkBox(int index) => DigitPreprocessor.InkBox(GrayImage.FromBytes(28, 28, Images[index]), Ink)!.Value;

    /// <summary>
    /// Pastes sample digits (their 28x28 images, inks combined by maximum) so that digit i's ink box starts at column
    /// <paramref name="lefts"/>[i] and row 10 of a canvas 10 px wider than the ink; returns the canvas and each true box.
    /// </summary>
    private static (GrayImage Canvas, PixelRect[] Boxes) Compose(int[] digits, int[] lefts)
    {
        var boxes = digits.Select((d, i) => InkBox(d) with { X = lefts[i], Y = 10 + InkBox(d).Y - 4 }).ToArray();
        int width = boxes.Max(b => b.X + b.Width) + 10, height = boxes.Max(b => b.Y + b.Height) + 10;
        var canvas = new GrayImage(width, height);
        for (int i = 0; i < digits.Length; i++)
        {
            var source = InkBox(digits[i]);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    int cx = boxes[i].X + x - source.X, cy = boxes[i].Y + y - source.Y;
                    if (cx >= 0 && cy >= 0 && cx < width && cy < height)
                        canvas[cx, cy] = Math.Max(canvas[cx, cy], Images[digits[i]][y * 28 + x]);
                }
        }
        return (canvas, boxes);
    }

    /// <summary>Digits one after another with <paramref name="gap"/> empty columns (negative: overlapping boxes) between their inks.</summary>
    private static (GrayImage Canvas, PixelRect[] Boxes) Row(int[] digits, int gap)
    {
        var lefts = new int[digits.Length];
        lefts[0] = 10;
        for (int i = 1; i < digits.Length; i++)
            lefts[i] = lefts[i - 1] + InkBox(digits[i - 1]).Width + gap;
        return Compose(digits, lefts);
    }

    private static int Components(GrayImage image) => InkBlob.Components(image, Ink).Count;

    private static float ColumnOverlap(PixelRect a, PixelRect b) =>
        Math.Max(0, Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X)) /
        (float)(Math.Max(a.X + a.Width, b.X + b.Width) - Math.Min(a.X, b.X));

    [Fact]
    public void Segment_FindsSeparateDigitsLeftToRightWithTheirBoxes()
    {
        var (canvas, boxes) = Row(Digits(7, 2, 1, 0), gap: 6);

        var segments = NumberSegmenter.Segment(canvas);

        Assert.Equal(boxes, segments.Select(s => s.Bounds));
        Assert.All(segments, s => Assert.Equal((1, false), (s.PieceCount, s.WasSplit)));
        Assert.Equal(1f, segments[2].SegmentationConfidence); // a 1 is too narrow to be two digits: no cut was weighed
    }

    [Fact]
    public void Segment_CropsHoldOnlyTheirOwnDigitsInk()
    {
        // Two sample digits whose boxes share columns while their inks stay apart (the first such pair and overlap found).
        var (digits, canvas, boxes) = (
            from a in Enumerable.Range(0, 40)
            from b in Enumerable.Range(0, 40)
            from overlap in Enumerable.Range(2, 5)
            let row = Row([a, b], -overlap)
            where Components(row.Canvas) == 2
            select (Digits: new[] { a, b }, row.Canvas, row.Boxes)).First();

        var segments = NumberSegmenter.Segment(canvas);

        Assert.Equal(boxes, segments.Select(s => s.Bounds));
        for (int s = 0; s < 2; s++)
        {
            // The ink of the crop is exactly this digit's ink: the other digit's, inside the same box, is blacked out.
            var alone = Compose([digits[s]], [boxes[s].X]).Canvas;
            var crop = segments[s].Image;
            for (int y = 0; y < crop.Height; y++)
                for (int x = 0; x < crop.Width; x++)
                {
                    float own = alone[boxes[s].X + x, boxes[s].Y + y];
                    if (own > Ink || crop[x, y] > Ink)
                        Assert.Equal(own, crop[x, y]);
                }
        }
    }

    [Fact]
    public void Segment_MergesDigitBrokenIntoTwoPiecesOneAboveTheOther()
    {
        // A 7 whose bar is cut off from its stem by blanking three rows under the bar.
        int seven = Digits(7)[0];
        var (canvas, boxes) = Row([Digits(3)[0], seven, Digits(8)[0]], gap: 6);
        var box = boxes[1];
        for (int y = box.Y + 4; y < box.Y + 7; y++)
            for (int x = box.X; x < box.X + box.Width; x++)
                canvas[x, y] = 0;
        Assert.Equal(4, Components(canvas));

        var segments = NumberSegmenter.Segment(canvas);

        Assert.Equal(3, segments.Count);
        Assert.Equal(2, segments[1].PieceCount);
        Assert.Equal(box, segments[1].Bounds);
    }

    [Fact]
    public void Segment_KeepsNarrowOneApartFromWideZeroBesideIt()
    {
        var (canvas, boxes) = Row([WidestZero(), NarrowestOne()], gap: 2);
        Assert.Equal(2, Components(canvas));

        var segments = NumberSegmenter.Segment(canvas);

        Assert.Equal(boxes, segments.Select(s => s.Bounds));
    }

    [Fact]
    public void Segment_CutsTouchingPairAlongTheirContact()
    {
        var digits = Digits(0, 3);
        var (canvas, boxes) = Enumerable.Range(0, 8).Select(overlap => Row(digits, -overlap)).First(c => Components(c.Canvas) == 1);

        var segments = NumberSegmenter.Segment(canvas);

        Assert.Equal(2, segments.Count);
        Assert.All(segments, s => Assert.True(s.WasSplit));
        Assert.All(segments, (s, i) => Assert.True(ColumnOverlap(s.Bounds, boxes[i]) >= 0.8f, $"segment {i} at {s.Bounds}, digit at {boxes[i]}"));
        Assert.All(segments, s => Assert.InRange(s.SegmentationConfidence, 0.5f, 1f));
    }

    /// <summary>
    /// A stand-in recogniser: sure of a crop about the size of one of <paramref name="boxes"/> (within
    /// <paramref name="slack"/> px in width, as overlapping digits cannot be cut to their full widths, and 2 px in height),
    /// unsure of any other.
    /// </summary>
    private static Func<GrayImage, float> SureOf(PixelRect[] boxes, int slack = 4) => crop =>
        boxes.Any(b => Math.Abs(crop.Width - b.Width) <= slack && Math.Abs(crop.Height - b.Height) <= 2) ? 0.9999f : 0.3f;

    [Fact]
    public void Segment_CutsThreeTouchingDigitsTwice()
    {
        var digits = Digits(0, 2, 3);
        var (canvas, boxes) = Enumerable.Range(0, 10).Select(overlap => Row(digits, -overlap)).First(c => Components(c.Canvas) == 1);

        var segments = NumberSegmenter.Segment(canvas, SureOf(boxes));

        Assert.True(segments.Count == 3, $"segments {string.Join("; ", segments)}; digits {string.Join("; ", boxes)}");
        Assert.All(segments, (s, i) => Assert.True(ColumnOverlap(s.Bounds, boxes[i]) >= 0.7f, $"segment {i} at {s.Bounds}, digit at {boxes[i]}"));
    }

    /// <summary>A 1 touching a wide 0, hardly wider than the 0 alone: the first overlap at which their inks touch.</summary>
    private static (GrayImage Canvas, PixelRect[] Boxes) OneTouchingWideZero() =>
        Enumerable.Range(0, 8).Select(overlap => Row([NarrowestOne(), WidestZero()], -overlap)).First(c => Components(c.Canvas) == 1);

    [Fact]
    public void Segment_CutsWhereTheRecogniserDoubtsTheWholeAndTrustsTheParts()
    {
        var (canvas, boxes) = OneTouchingWideZero();
        int whole = canvas.Width - 20; // the ink spans the canvas less its 10 px margins
        Assert.Single(NumberSegmenter.Segment(canvas)); // geometry alone keeps it whole
        var asked = new List<int>();
        var sure = SureOf(boxes, slack: 2);

        var segments = NumberSegmenter.Segment(canvas, crop =>
        {
            asked.Add(crop.Width);
            return sure(crop);
        });

        Assert.Equal(0.3f, sure(new GrayImage(whole, boxes.Max(b => b.Y + b.Height) - boxes.Min(b => b.Y))));
        Assert.Contains(whole, asked);
        Assert.Equal(2, segments.Count);
        Assert.All(segments, (s, i) => Assert.True(ColumnOverlap(s.Bounds, boxes[i]) >= 0.7f, $"segment {i} at {s.Bounds}, digit at {boxes[i]}"));
    }

    [Fact]
    public void Segment_KeepsBlobWholeWhenTheRecogniserTrustsTheWholeAndDoubtsTheParts()
    {
        var (canvas, _) = OneTouchingWideZero();
        int whole = canvas.Width - 20;

        var segments = NumberSegmenter.Segment(canvas, crop => crop.Width >= whole - 1 ? 0.99999f : 0.2f);

        Assert.Single(segments);
    }

    [Fact]
    public void Segment_DropsNoiseSpecksAwayFromDigits()
    {
        var (canvas, boxes) = Row(Digits(4, 5, 6), gap: 20);
        var random = new Random(7);
        int added = 0;
        while (added < 12)
        {
            // 1 or 2 px specks in the margins and gaps, at least 8 px (0.4 digit heights) from any digit's box.
            int x = random.Next(canvas.Width - 1), y = random.Next(canvas.Height - 1), size = random.Next(1, 3);
            if (boxes.Any(b => x + size + 8 > b.X && x < b.X + b.Width + 8 && y + size + 8 > b.Y && y < b.Y + b.Height + 8))
                continue;
            for (int dy = 0; dy < size; dy++)
                for (int dx = 0; dx < size; dx++)
                    canvas[x + dx, y + dy] = 255;
            added++;
        }

        var segments = NumberSegmenter.Segment(canvas);

        Assert.Equal(boxes, segments.Select(s => s.Bounds));
    }

    [Fact]
    public void Segment_GivesTheSameSegmentsForDarkInkOnLightPaper()
    {
        var (canvas, boxes) = Row(Digits(9, 8, 1), gap: 5);
        var paper = new GrayImage(canvas.Width, canvas.Height, canvas.Pixels.Select(v => 255f - v).ToArray());

        var light = NumberSegmenter.Segment(canvas);
        var dark = NumberSegmenter.Segment(paper);

        Assert.Equal(boxes, dark.Select(s => s.Bounds));
        for (int i = 0; i < boxes.Length; i++)
            Assert.Equal(light[i].Image.Pixels, dark[i].Image.Pixels, (a, b) => Math.Abs(a - b) < 1e-3f);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(255f)]
    [InlineData(20f)]
    public void Segment_FindsNoDigitsInBlankImage(float level)
    {
        var blank = new GrayImage(120, 40, Enumerable.Repeat(level, 120 * 40).ToArray());

        Assert.Empty(NumberSegmenter.Segment(blank));
    }

    [Fact]
    public void Segment_FindsOneDigitWithItsInk()
    {
        int two = Digits(2)[0];
        var (canvas, boxes) = Compose([two], [30]);

        var segment = Assert.Single(NumberSegmenter.Segment(canvas));

        Assert.Equal(boxes[0], segment.Bounds);
        var source = InkBox(two);
        for (int y = 0; y < source.Height; y++)
            for (int x = 0; x < source.Width; x++)
                Assert.Equal(Images[two][(source.Y + y) * 28 + source.X + x], segment.Image[x, y]);
    }

    [Fact]
    public void Segment_ThrowsForImageOverTheSizeLimit()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => NumberSegmenter.Segment(new GrayImage(4097, 2)));

        Assert.Contains("up to 4096 x 4096", error.Message);
        Assert.Contains("found 4097 x 2", error.Message);
    }

    [Fact]
    public void Segment_ThrowsForNonFinitePixel()
    {
        var image = new GrayImage(30, 30);
        image[3, 4] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() => NumberSegmenter.Segment(image));

        Assert.Contains("(3, 4)", error.Message);
    }

    [Fact]
    public void Segment_ThrowsNamingAnOptionOutOfRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            NumberSegmenter.Segment(new GrayImage(10, 10), new NumberSegmenterOptions { MinimumPartHeight = 2 }));

        Assert.Contains("NumberSegmenterOptions.MinimumPartHeight must be in 0..1; found 2", error.Message);
    }

    [Fact]
    public void Segment_ThrowsGivenNoRecogniser() =>
        Assert.Throws<ArgumentNullException>(() => NumberSegmenter.Segment(new GrayImage(10, 10), (Func<GrayImage, float>)null!));

    [Fact]
    public void Segment_ThrowsWhenTheRecogniserGivesNoProbability()
    {
        var digits = Digits(0, 3);
        var (canvas, _) = Enumerable.Range(0, 8).Select(overlap => Row(digits, -overlap)).First(c => Components(c.Canvas) == 1);

        var error = Assert.Throws<InvalidOperationException>(() => NumberSegmenter.Segment(canvas, _ => 7f));

        Assert.Contains("returned 7", error.Message);
    }

    private static int WidestZero() =>
        Enumerable.Range(0, Labels.Length).Where(k => Labels[k] == 0).MaxBy(k => (float)InkBox(k).Width / InkBox(k).Height);

    private static int NarrowestOne() =>
        Enumerable.Range(0, Labels.Length).Where(k => Labels[k] == 1).MinBy(k => (float)InkBox(k).Width / InkBox(k).Height);
}
