
namespace MlNetDigits.Tests;

public class GrayImageTests
{
    [Fact]
    public void Indexer_AddressesColumnThenRow()
    {
        var image = new GrayImage(3, 2, [0, 1, 2, 10, 11, 12]);

        Assert.Equal(12f, image[2, 1]);
        image[0, 1] = 99f;
        Assert.Equal(99f, image.Pixels[3]);
    }

    [Fact]
    public void Indexer_ThrowsOutsideImage()
    {
        var image = new GrayImage(3, 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => image[3, 0]);
        Assert.Contains("(3, 0) is outside the 3 x 2 image", error.Message);
    }

    [Theory]
    [InlineData(3, 2, 5)]
    [InlineData(0, 2, 0)]
    [InlineData(-1, 2, 2)]
    public void Constructor_ThrowsGivenInconsistentSize(int width, int height, int pixels) =>
        Assert.ThrowsAny<ArgumentException>(() => new GrayImage(width, height, new float[pixels]));

    [Fact]
    public void ToBytes_RoundsAndClamps()
    {
        var image = new GrayImage(4, 1, [-1f, 1.5f, 2.49f, 256f]);

        Assert.Equal([0, 2, 2, 255], image.ToBytes());
    }
}
