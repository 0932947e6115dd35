using System.Buffers.Binary;

namespace MlNetDigits.Tests;

/// <summary>
/// ImageCodec over SkiaSharp: every PNG colour type, bit depth, transparency and interlace of the committed fixtures
/// (written by Fixtures/make_png_fixtures.py with their expected samples), the 4096 px limit, bad files, encoding.
/// </summary>
public sealed class ImageCodecTests
{
    private static readonly string FixtureFolder = Path.Combine(AppContext.BaseDirectory, "Imaging", "Fixtures");

    public static TheoryData<string> Fixtures() => new(Directory.GetFiles(FixtureFolder, "*.png").Order().Select(f => Path.GetFileNameWithoutExtension(f)!));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Decode_GivesBt601LuminanceCompositedOverWhite_ForEveryPngKind(string name)
    {
        var png = File.ReadAllBytes(Path.Combine(FixtureFolder, name + ".png"));
        var expected = File.ReadAllBytes(Path.Combine(FixtureFolder, name + ".rgba16"));

        var image = ImageCodec.Decode(png);

        Assert.Equal(expected.Length / 8, image.Pixels.Length);
        for (int p = 0; p < image.Pixels.Length; p++)
        {
            // The reference from the 16-bit samples; SkiaSharp decodes to 8 bits a sample, so allow one level.
            double r = Sample(expected, p, 0), g = Sample(expected, p, 1), b = Sample(expected, p, 2), a = Sample(expected, p, 3);
            double luminance = r == g && g == b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
            double gray = luminance * a + 255 * (1 - a);
            Assert.True(Math.Abs(gray - image.Pixels[p]) <= 1.5, $"{name}: pixel {p} is {image.Pixels[p]}, expected {gray:F2}.");
        }
    }

    [Fact]
    public void ReadSize_AndDecode_RefuseImagesOver4096PixelsASide_FromTheHeader()
    {
        var png = TestPngs.Rgba(5000, 2, (_, _) => (0, 0, 0, 255));

        Assert.Equal((5000, 2), ImageCodec.ReadSize(png));
        var e = Assert.Throws<InvalidImageException>(() => ImageCodec.Decode(png));
        Assert.Contains("5000 x 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("4096", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RefusesEmptyForeignAndTruncatedFiles()
    {
        var png = ImageCodec.EncodePng(new GrayImage(20, 20));

        Assert.Contains("empty", Assert.Throws<InvalidImageException>(() => ImageCodec.Decode([])).Message, StringComparison.Ordinal);
        Assert.Contains("not an image file", Assert.Throws<InvalidImageException>(() => ImageCodec.Decode("plain text"u8)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidImageException>(() => ImageCodec.Decode(png.AsSpan(0, png.Length / 2)));
    }

    [Fact]
    public void EncodePng_RoundTripsRoundedAndClampedIntensities()
    {
        var image = new GrayImage(3, 2, [0, 12.4f, 12.6f, 255, 300, -5]);

        var decoded = ImageCodec.Decode(ImageCodec.EncodePng(image));

        Assert.Equal([0f, 12f, 13f, 255f, 255f, 0f], decoded.Pixels);
    }

    [Fact]
    public void DecodeFile_NamesAMissingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlnd-{Guid.NewGuid():N}.png");

        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => ImageCodec.DecodeFile(path)).Message, StringComparison.Ordinal);
    }

    private static double Sample(byte[] rgba16, int pixel, int channel) =>
        BinaryPrimitives.ReadUInt16BigEndian(rgba16.AsSpan(8 * pixel + 2 * channel)) * (channel == 3 ? 1.0 / 65535 : 255.0 / 65535);
}
