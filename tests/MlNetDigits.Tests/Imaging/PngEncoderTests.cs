using MlNetDigits.Imaging;

namespace MlNetDigits.Tests.Imaging;

public class PngEncoderTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(28, 28)]
    [InlineData(31, 7)]
    [InlineData(3, 200)]
    public void EncodeGray_RoundTripsThroughDecoder(int width, int height)
    {
        var random = new Random(width * 1000 + height);
        var pixels = new byte[width * height];
        random.NextBytes(pixels);

        var png = PngEncoder.EncodeGray(width, height, pixels);
        var image = PngDecoder.Decode(png);

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(pixels, image.ToBytes());
        Assert.Equal(pixels.Select(p => (float)p), image.Pixels);
    }

    [Fact]
    public void EncodeGray_WritesRoundedClampedGrayImage()
    {
        var image = new GrayImage(4, 1, [-3f, 0.6f, 254.4f, 300f]);

        var decoded = PngDecoder.Decode(PngEncoder.EncodeGray(image));

        Assert.Equal([0f, 1f, 254f, 255f], decoded.Pixels);
    }

    [Fact]
    public void EncodeGray_CompressesUniformImage()
    {
        var png = PngEncoder.EncodeGray(256, 256, new byte[256 * 256]);

        Assert.True(png.Length < 1000, $"a blank 256 x 256 image took {png.Length} bytes");
    }

    [Fact]
    public void EncodeGray_ThrowsGivenWrongPixelCount() =>
        Assert.Throws<ArgumentException>(() => PngEncoder.EncodeGray(3, 3, new byte[8]));

    [Fact]
    public void EncodeGray_ThrowsGivenSizeOverDecoderLimit() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.EncodeGray(5000, 1, new byte[5000]));
}
