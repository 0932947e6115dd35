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
}
