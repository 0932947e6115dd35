namespace MlNetDigits.Web.Tests.Fixtures;

/// <summary>Digits from the committed sample's test split, as MNIST pixels and as dark-on-light PNGs (like a drawing).</summary>
public static class SampleDigits
{
    private static readonly Lazy<(IdxImages Images, byte[] Labels)> Test = new(() =>
        IdxReader.ReadPair(
            IdxFileNames.Find(TestModels.SampleFolder, IdxFileNames.Images(DatasetSplit.Test))!,
            IdxFileNames.Find(TestModels.SampleFolder, IdxFileNames.Labels(DatasetSplit.Test))!));

    /// <summary>How many test images the sample has.</summary>
    public static int Count => Test.Value.Labels.Length;

    /// <summary>The label of test image <paramref name="index"/>.</summary>
    public static int Label(int index) => Test.Value.Labels[index];

    /// <summary>The first test image index labelled <paramref name="digit"/>.</summary>
    public static int FirstOf(int digit) => Array.IndexOf(Test.Value.Labels, (byte)digit);

    /// <summary>Test image <paramref name="index"/>: 784 bytes, white ink on black.</summary>
    public static byte[] Pixels(int index) => Test.Value.Images.GetImage(index).ToArray();

    /// <summary>Test image <paramref name="index"/> inverted (black ink on white) and scaled up 4x as a PNG, like a canvas drawing.</summary>
    public static byte[] DrawingPng(int index)
    {
        var pixels = Pixels(index);
        const int Scale = 4, Side = 28 * Scale;
        var big = new byte[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                big[y * Side + x] = (byte)(255 - pixels[y / Scale * 28 + x / Scale]);
        return ImageCodec.EncodePng(GrayImage.FromBytes(Side, Side, big));
    }

    /// <summary>
    /// For each digit of <paramref name="digits"/>, the first test image that <paramref name="classifier"/> reads right and
    /// surely on its own (a digit, not unsure, above 95 %), so that a number made of them tests reading, not the model.
    /// </summary>
    public static int[] ReadSurely(DigitClassifier classifier, string digits) => [.. digits.Select(c => FirstReadSurely(classifier, c - '0'))];

    private static int FirstReadSurely(DigitClassifier classifier, int digit)
    {
        for (int i = 0; i < Count; i++)
            if (Label(i) == digit && classifier.Classify28x28(Pixels(i)) is { IsDigit: true, IsUnsure: false, Confidence: > 0.95f } p && p.Digit == digit.ToString())
                return i;
        throw new InvalidOperationException($"No sample test digit {digit} is read surely by the test model.");
    }

    /// <summary>
    /// Test images <paramref name="indices"/> side by side, each scaled up <paramref name="scale"/> times, 8 source pixels
    /// apart, as dark ink on white (a number as a person draws it), with each digit's x range.
    /// </summary>
    public static (GrayImage Image, (int From, int To)[] Columns) NumberDrawing(int[] indices, int scale)
    {
        const int Gap = 8, Pad = 10;
        int width = (Pad * 2 + indices.Length * 28 + (indices.Length - 1) * Gap) * scale, height = (28 + Pad * 2) * scale;
        var pixels = Enumerable.Repeat(255f, width * height).ToArray();
        var columns = new (int, int)[indices.Length];
        for (int d = 0; d < indices.Length; d++)
        {
            var digit = Pixels(indices[d]);
            int left = (Pad + d * (28 + Gap)) * scale;
            columns[d] = (left, left + 28 * scale);
            for (int y = 0; y < 28 * scale; y++)
                for (int x = 0; x < 28 * scale; x++)
                    pixels[(Pad * scale + y) * width + left + x] = 255f - digit[y / scale * 28 + x / scale];
        }
        return (new GrayImage(width, height, pixels), columns);
    }
}
