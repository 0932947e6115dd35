using static MlNetDigits.Tests.TestModels;

namespace MlNetDigits.Tests;

/// <summary>
/// DigitClassifier.ReadNumber end to end: polarity, scaling of large drawings, segmentation with the model's confidence,
/// boxes in the input's pixels, and the unsure answers. The segmenter's own cases are in NumberSegmenterTests; its accuracy
/// is measured by bench/MlNetDigits.Bench.Numbers.
/// </summary>
public sealed class ReadNumberTests
{
    private static readonly Lazy<DigitClassifier> Cnn = new(() => DigitClassifier.FromModel(CnnWithOodModel.Model, CnnWithOodModel.InputSchema, name: "cnn-ood"));

    /// <summary>Sample test digits the test model reads right and surely on their own, one per label in <paramref name="labels"/>.</summary>
    private static float[][] DigitsReadSurely(string labels)
    {
        var found = new Dictionary<char, float[]>();
        foreach (var (pixels, label) in TestDigits(1000))
        {
            char c = (char)('0' + label);
            if (found.ContainsKey(c) || !labels.Contains(c))
                continue;
            var p = Cnn.Value.Classify28x28(pixels);
            if (p.IsDigit && !p.IsUnsure && p.Digit == c.ToString() && p.Confidence > 0.95f)
                found[c] = pixels;
        }
        return [.. labels.Select(c => found.TryGetValue(c, out var px) ? px : throw new InvalidOperationException($"No sample digit {c} is read surely by the test model."))];
    }

    /// <summary>
    /// The digits side by side, each 28x28 scaled up <paramref name="scale"/> times, a gap of 8 source pixels between
    /// them, as dark ink on white paper (the way a page or the web pad gives them), with the x range of each digit.
    /// </summary>
    private static (GrayImage Image, (int From, int To)[] Columns) DarkOnWhite(float[][] digits, int scale)
    {
        const int gap = 8, pad = 10;
        int width = (pad * 2 + digits.Length * 28 + (digits.Length - 1) * gap) * scale, height = (28 + pad * 2) * scale;
        var pixels = Enumerable.Repeat(255f, width * height).ToArray();
        var columns = new (int, int)[digits.Length];
        for (int d = 0; d < digits.Length; d++)
        {
            int left = (pad + d * (28 + gap)) * scale;
            columns[d] = (left, left + 28 * scale);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < 28 * scale; x++)
                {
                    int sy = y / scale - pad;
                    if (sy is >= 0 and < 28)
                        pixels[y * width + left + x] = 255f - digits[d][sy * 28 + x / scale];
                }
        }
        return (new GrayImage(width, height, pixels), columns);
    }

    [Theory]
    [InlineData(1)]   // MNIST size: read as it is
    [InlineData(8)]   // a 1,200 x 384 drawing: scaled down to NumberInkHeight first
    public void ReadNumber_SeparateDigitsOnWhitePaper_GivesTheNumberAndEachDigitsBoxInTheInputsPixels(int scale)
    {
        var (image, columns) = DarkOnWhite(DigitsReadSurely("2094"), scale);

        var reading = Cnn.Value.ReadNumber(image);

        Assert.Equal("2094", reading.Text);
        Assert.True(reading.IsNumber);
        Assert.Equal(4, reading.Digits.Count);
        for (int i = 0; i < 4; i++)
        {
            var box = reading.Digits[i].Bounds;
            int centre = box.X + box.Width / 2;
            Assert.InRange(centre, columns[i].From, columns[i].To);
            Assert.InRange(box.X + box.Width, 0, image.Width);
            Assert.InRange(box.Y + box.Height, 0, image.Height);
            Assert.Equal(reading.Digits[i].Prediction.Digit, "2094"[i].ToString());
            Assert.False(reading.Digits[i].WasSplit);
            Assert.True(reading.Digits[i].SegmentationConfidence >= 0.8f, $"digit {i}: segmentation confidence {reading.Digits[i].SegmentationConfidence}");
        }
    }

    [Fact]
    public void ReadNumber_GivesEachDigitTheSameAnswerAsClassifyingItAlone()
    {
        var digits = DigitsReadSurely("3781");
        var (image, _) = DarkOnWhite(digits, 3);

        var reading = Cnn.Value.ReadNumber(image);

        Assert.Equal(4, reading.Digits.Count);
        for (int i = 0; i < 4; i++)
        {
            var alone = Cnn.Value.Classify28x28(digits[i]);
            Assert.Equal(alone.Digit, reading.Digits[i].Prediction.Digit);
            Assert.Equal(alone.Confidence, reading.Digits[i].Prediction.Confidence, 0.05f);
        }
    }

    [Fact]
    public void ReadNumber_BlankDrawing_HasNoDigitsAndIsUnsureSayingItIsBlank()
    {
        var blank = new GrayImage(600, 200, Enumerable.Repeat(255f, 600 * 200).ToArray());

        var reading = Cnn.Value.ReadNumber(blank);

        Assert.Empty(reading.Digits);
        Assert.Equal("", reading.Text);
        Assert.False(reading.IsNumber);
        Assert.True(reading.IsUnsure);
        Assert.Contains("blank", Assert.Single(reading.UnsureReasons), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadNumber_SegmentsTheModelCallsNotADigit_AreQuestionMarksAndMakeTheReadingUnsure()
    {
        // SDCA has no out-of-distribution score, so its top probability decides; at a fallback of 1 no answer is digit-like.
        using var strict = DigitClassifier.FromModel(SdcaModel.Model, SdcaModel.InputSchema, new DigitClassifierOptions { FallbackMinimumConfidence = 1f });
        var (image, _) = DarkOnWhite(DigitsReadSurely("507"), 2);

        var reading = strict.ReadNumber(image);

        Assert.Equal("???", reading.Text);
        Assert.False(reading.IsNumber);
        Assert.True(reading.IsUnsure);
        Assert.Equal(3, reading.UnsureReasons.Count(r => r.Contains("is not a digit (NotDigitLike)", StringComparison.Ordinal)));
        Assert.Contains(reading.UnsureReasons, r => r.StartsWith("Digit 2 of 3", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadNumber_RefusesANonFinitePixelAndAnImageOverTheSizeLimit()
    {
        var pixels = new float[40 * 20];
        pixels[5] = float.NaN;
        Assert.Throws<ArgumentException>(() => Cnn.Value.ReadNumber(pixels, 40, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cnn.Value.ReadNumber(new GrayImage(4097, 1)));
    }

    [Theory]
    [InlineData(1.5f, 40)]
    [InlineData(0.8f, 15)]
    public void Options_OutOfRange_AreRefusedNamingThem(float minimumSegmentationConfidence, int numberInkHeight)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DigitClassifier.FromModel(CnnWithOodModel.Model, CnnWithOodModel.InputSchema,
            new DigitClassifierOptions { MinimumSegmentationConfidence = minimumSegmentationConfidence, NumberInkHeight = numberInkHeight }));
        Assert.Contains("MinimumSegmentationConfidence must be in 0..1 and NumberInkHeight at least 16", e.Message, StringComparison.Ordinal);
    }
}
