using static MlNetDigits.Tests.TestModels;

namespace MlNetDigits.Tests;

public sealed class DigitClassifierTests
{
    private static readonly Lazy<DigitClassifier> SharedClassifier = new(() => DigitClassifier.FromModel(SdcaModel.Model, SdcaModel.InputSchema, name: "sdca-test"));

    private static DigitClassifier Classifier => SharedClassifier.Value;

    /// <summary>Sample test digits the model classifies right with confidence as they are: the baseline the hand-made variants are held to.</summary>
    private static readonly Lazy<(float[] Pixels, string Label)[]> ConfidentDigits = new(() =>
        [.. TestDigits(200)
            .Select(d => (d.Pixels, Label: d.Label.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Where(d => Classifier.Classify28x28(d.Pixels) is { IsUnsure: false } p && p.Digit == d.Label)
            .Take(40)]);

    public static TheoryData<string> Variants => ["as-is", "off-centre", "tiny", "huge", "inverted", "non-square", "gray-paper"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Classify_HandMadeVariantsOfSampleDigits_FindsTheDigit(string variant)
    {
        var digits = ConfidentDigits.Value;
        Assert.Equal(40, digits.Length);
        int correct = 0;
        foreach (var (pixels, label) in digits)
        {
            var image = MakeVariant(variant, new GrayImage(28, 28, pixels));
            var prediction = Classifier.Classify(image.Pixels, image.Width, image.Height);
            Assert.Equal(28, prediction.Image.Width);
            var (cx, cy) = DigitPreprocessor.CenterOfMass(prediction.Image);
            Assert.InRange(cx, 13f, 15f);
            Assert.InRange(cy, 13f, 15f);
            if (prediction.Digit == label)
                correct++;
        }
        Assert.True(correct >= 36, $"{variant}: {correct} of 40 right.");
    }

    [Fact]
    public void Classify_PngOfAnInvertedDigit_EqualsClassifyingItsPixels()
    {
        var (pixels, label) = ConfidentDigits.Value[0];
        var image = MakeVariant("inverted", new GrayImage(28, 28, pixels));
        var png = ImageCodec.EncodePng(image);
        var fromPng = Classifier.Classify(png);
        var fromPixels = Classifier.Classify(image.ToBytes(), image.Width, image.Height);
        Assert.Equal(label, fromPng.Digit);
        Assert.Equal(fromPixels.Probabilities, fromPng.Probabilities);
        Assert.True(fromPng.Preprocessed!.Inverted);
        Assert.Equal(fromPng.Image.Pixels, fromPng.Preprocessed.Final.Pixels);
    }

    [Fact]
    public void Classify_GivesEveryClassProbabilityWithItsNameAndTheModel()
    {
        var (pixels, label) = ConfidentDigits.Value[1];
        var prediction = Classifier.Classify28x28(pixels);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            prediction.Probabilities.Select(p => p.ClassName));
        Assert.Equal(1f, prediction.Probabilities.Sum(p => p.Score), 3);
        Assert.Equal(label, prediction.Digit);
        Assert.Equal(prediction.Probabilities.Max(p => p.Score), prediction.Confidence);
        Assert.Equal(prediction.Ranked[0].Score - prediction.Ranked[1].Score, prediction.Margin);
        Assert.Null(prediction.Preprocessed);
        Assert.Equal("sdca-test", prediction.Model.Name);
        Assert.Equal(Classifier.Model.Version, prediction.Model.Version);
        Assert.Equal(Classifier.ClassNames, prediction.Probabilities.Select(p => p.ClassName));
    }

    [Fact]
    public void IsUnsure_FollowsTheConfidenceThresholdAndTheMargin()
    {
        var (pixels, _) = ConfidentDigits.Value[2];
        using var strict = DigitClassifier.FromModel(SdcaModel.Model, SdcaModel.InputSchema, new DigitClassifierOptions { ConfidenceThreshold = 1f });
        using var lenient = DigitClassifier.FromModel(SdcaModel.Model, SdcaModel.InputSchema, new DigitClassifierOptions { ConfidenceThreshold = 0f });
        using var byMargin = DigitClassifier.FromModel(SdcaModel.Model, SdcaModel.InputSchema, new DigitClassifierOptions { ConfidenceThreshold = 0f, MinimumMargin = 1f });
        var unsure = strict.Classify28x28(pixels);
        Assert.True(unsure.IsUnsure);
        Assert.Contains("confidence threshold", unsure.UnsureReason);
        Assert.False(lenient.Classify28x28(pixels).IsUnsure);
        Assert.Null(lenient.Classify28x28(pixels).UnsureReason);
        Assert.Contains("margin", byMargin.Classify28x28(pixels).UnsureReason);
    }

    [Fact]
    public void Classify_BlankImageIsUnsureBecauseItHasNoInk()
    {
        var prediction = Classifier.Classify(Enumerable.Repeat((byte)255, 50 * 40).ToArray(), 50, 40);
        Assert.True(prediction.IsUnsure);
        Assert.Contains("no ink", prediction.UnsureReason);
        Assert.False(prediction.Preprocessed!.HasInk);
    }

    [Fact]
    public void Classify_ThrowsInvalidImageGivenAMalformedPng()
    {
        var png = ImageCodec.EncodePng(new GrayImage(28, 28));
        Assert.Throws<InvalidImageException>(() => Classifier.Classify(png[..(png.Length / 2)]));
        var e = Assert.Throws<InvalidImageException>(() => Classifier.Classify("this is not an image"u8.ToArray()));
        Assert.Contains("not an image file", e.Message);
    }

    [Fact]
    public void Classify_ThrowsGivenPixelsThatDoNotMatchTheSize()
    {
        var e = Assert.Throws<ArgumentException>(() => Classifier.Classify(new byte[100], 20, 20));
        Assert.Contains("400 pixels", e.Message);
        Assert.Contains("found 100", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Classifier.Classify(new float[5000 * 2], 5000, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Classifier.Classify(ReadOnlySpan<float>.Empty, 0, 0));
        var e28 = Assert.Throws<ArgumentException>(() => Classifier.Classify28x28(new float[100]));
        Assert.Contains("784", e28.Message);
    }

    [Fact]
    public void Classify_ThrowsGivenNonFinitePixels()
    {
        var pixels = new float[784];
        pixels[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => Classifier.Classify28x28(pixels));
        Assert.Throws<ArgumentException>(() => Classifier.Classify(pixels, 28, 28));
    }

    [Fact]
    public void Classify_FromManyThreads_GivesTheSingleThreadedAnswers()
    {
        var digits = ConfidentDigits.Value;
        var expected = digits.Select(d => Classifier.Classify(d.Pixels, 28, 28).Probabilities.Select(p => p.Score).ToArray()).ToArray();
        var failures = 0;
        Parallel.For(0, 4 * digits.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var d = i % digits.Length;
            if (!Classifier.Classify(digits[d].Pixels, 28, 28).Probabilities.Select(p => p.Score).SequenceEqual(expected[d]))
                Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Load_WatchingForChanges_AnswersWithTheReplacedModelAndNamesIt()
    {
        var folder = TempFolder();
        try
        {
            var path = Path.Combine(folder, "digits.zip");
            File.WriteAllBytes(path, SdcaModel.FileBytes);
            using var classifier = DigitClassifier.Load(path, new DigitClassifierOptions
            {
                WatchForChanges = true,
                Pool = new PredictionEnginePoolOptions { ReloadDebounce = TimeSpan.FromMilliseconds(50), PollingInterval = TimeSpan.FromMilliseconds(100) },
            });
            using var reloaded = new ManualResetEventSlim();
            classifier.ModelReloaded += (_, _) => reloaded.Set();
            var (pixels, _) = ConfidentDigits.Value[0];
            var before = classifier.Classify28x28(pixels);
            Assert.Equal("digits", before.Model.Name);

            var replacement = RescaledModelBytes(2f / 255);
            File.WriteAllBytes(path + ".new", replacement);
            File.Move(path + ".new", path, overwrite: true);
            Assert.True(reloaded.Wait(TimeSpan.FromSeconds(15)), "The classifier did not reload the replaced file within 15 s.");

            var after = classifier.Classify28x28(pixels);
            Assert.NotEqual(before.Model.Version, after.Model.Version);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(replacement))[..12], after.Model.Version);
            Assert.NotEqual(before.Probabilities, after.Probabilities);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_ThrowsInvalidModelGivenACorruptFile()
    {
        var folder = TempFolder();
        try
        {
            var path = Path.Combine(folder, "bad.zip");
            File.WriteAllBytes(path, [.. SdcaModel.FileBytes.Take(500)]);
            Assert.Throws<InvalidModelException>(() => DigitClassifier.Load(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_ThrowsWhenTheModelDoesNotTakeA28x28Image()
    {
        var e = Assert.Throws<ArgumentException>(() => DigitClassifier.FromModel(SdcaModel.Model, SdcaModel.InputSchema,
            new DigitClassifierOptions { ImageColumnName = "Pixels" }));
        Assert.Contains("'Image'", e.Message);
    }

    [Fact]
    public void Load_RefusesAModelWhoseWeightsOverflow_NamingTheProbability()
    {
        // Finite but huge weights: every probability comes out NaN. Such a model must never be served.
        var ml = new MLContext(seed: 1);
        var blowUp = ml.Transforms.Expression("Image", "x => x * 3e38", "Image").Fit(TestData());
        var stages = ((IEnumerable<ITransformer>)SdcaModel.Model).ToArray();
        var poisoned = new TransformerChain<ITransformer>([blowUp, .. stages]);

        var e = Assert.Throws<InvalidModelException>(() => DigitClassifier.FromModel(poisoned, SdcaModel.InputSchema));
        Assert.Contains("probabilit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WatchingForChanges_KeepsServingWhenTheReplacementOverflows()
    {
        var folder = TempFolder();
        try
        {
            var path = Path.Combine(folder, "digits.zip");
            File.WriteAllBytes(path, SdcaModel.FileBytes);
            using var classifier = DigitClassifier.Load(path);
            var (pixels, label) = ConfidentDigits.Value[0];
            var ml = new MLContext(seed: 1);
            var blowUp = ml.Transforms.Expression("Image", "x => x * 3e38", "Image").Fit(TestData());
            var poisoned = new TransformerChain<ITransformer>([blowUp, .. ((IEnumerable<ITransformer>)SdcaModel.Model).ToArray()]);
            File.WriteAllBytes(path, Save(ml, poisoned, SdcaModel.InputSchema));

            Assert.Throws<InvalidModelException>(() => classifier.Reload());
            Assert.Equal(label, classifier.Classify28x28(pixels).Digit);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Hand-made variants of a 28x28 MNIST digit (white on black): moved, shrunk, enlarged, inverted, on odd canvases.</summary>
    private static GrayImage MakeVariant(string variant, GrayImage digit) => variant switch
    {
        "as-is" => digit,
        "off-centre" => Paste(digit, new GrayImage(120, 100), 85, 3),
        "tiny" => Paste(Resize(digit, 12, 12), new GrayImage(40, 40), 2, 25),
        "huge" => Resize(digit, 300, 300),
        "inverted" => Map(digit, v => 255 - v),
        "non-square" => Paste(Resize(digit, 42, 42), new GrayImage(200, 50), 150, 4),
        "gray-paper" => Map(Paste(digit, new GrayImage(60, 45), 10, 8), v => 200 - v * 0.7f),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    private static GrayImage Map(GrayImage image, Func<float, float> f) => new(image.Width, image.Height, [.. image.Pixels.Select(f)]);

    private static GrayImage Paste(GrayImage source, GrayImage canvas, int x, int y)
    {
        for (int r = 0; r < source.Height; r++)
            for (int c = 0; c < source.Width; c++)
                canvas[x + c, y + r] = source[c, r];
        return canvas;
    }

    /// <summary>Bilinear resampling written here, independent of the preprocessor's own.</summary>
    private static GrayImage Resize(GrayImage source, int width, int height)
    {
        var result = new GrayImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float sx = Math.Clamp((x + 0.5f) * source.Width / width - 0.5f, 0, source.Width - 1);
                float sy = Math.Clamp((y + 0.5f) * source.Height / height - 0.5f, 0, source.Height - 1);
                int x0 = (int)sx, y0 = (int)sy, x1 = Math.Min(x0 + 1, source.Width - 1), y1 = Math.Min(y0 + 1, source.Height - 1);
                float tx = sx - x0, ty = sy - y0;
                result[x, y] = (source[x0, y0] * (1 - tx) + source[x1, y0] * tx) * (1 - ty) + (source[x0, y1] * (1 - tx) + source[x1, y1] * tx) * ty;
            }
        return result;
    }
}
