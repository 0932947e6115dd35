
namespace MlNetDigits.Tests;

public sealed class ImageClassificationAugmentationTests
{
    private static float[] Pixels(int count) => [.. ImageClassificationTestData.Rows(count).SelectMany(r => r.Image)];

    [Fact]
    public void Apply_WithAllMagnitudesZero_CopiesTheImagesInRowOrder()
    {
        var pixels = Pixels(10);
        var none = new ImageAugmentationOptions { RotationDegrees = 0, Scale = 0, Shift = 0, ShearDegrees = 0, Elastic = false };
        int[] rows = [3, 1, 4, 1, 5, 9, 2, 6];
        var output = new float[6 * 784];

        new ImageAugmenter(none, 1, 28, 28).Apply(pixels, rows, 2, 6, output, seed: 1, epoch: 1, threads: 2);

        // Image i of the output is row rows[2 + i]: augmentation keeps each image with its own label.
        for (int i = 0; i < 6; i++)
            for (int p = 0; p < 784; p++)
                Assert.Equal(pixels[rows[2 + i] * 784 + p], output[i * 784 + p], 3);
    }

    [Fact]
    public void Apply_IsDeterministicForASeedWhateverTheThreadCount()
    {
        var pixels = Pixels(40);
        var rows = Enumerable.Range(0, 40).ToArray();
        var augmenter = new ImageAugmenter(new ImageAugmentationOptions { ElasticProbability = 1 }, 1, 28, 28);
        var a = new float[40 * 784];
        var b = new float[40 * 784];
        var c = new float[40 * 784];

        augmenter.Apply(pixels, rows, 0, 40, a, seed: 5, epoch: 2, threads: 1);
        augmenter.Apply(pixels, rows, 0, 40, b, seed: 5, epoch: 2, threads: 4);
        augmenter.Apply(pixels, rows, 0, 40, c, seed: 5, epoch: 3, threads: 1);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(pixels, a);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Apply_KeepsShapeRangeAndMostOfTheInk(bool affine, bool elastic)
    {
        var pixels = Pixels(20);
        var options = new ImageAugmentationOptions { Affine = affine, Elastic = elastic, ElasticProbability = 1 };
        var output = new float[20 * 784];

        new ImageAugmenter(options, 1, 28, 28).Apply(pixels, [.. Enumerable.Range(0, 20)], 0, 20, output, seed: 3, epoch: 1, threads: 2);

        Assert.All(output, v => Assert.InRange(v, 0f, 255.001f));
        for (int i = 0; i < 20; i++)
        {
            double before = pixels.AsSpan(i * 784, 784).ToArray().Sum(v => (double)v);
            double after = output.AsSpan(i * 784, 784).ToArray().Sum(v => (double)v);
            Assert.InRange(after / before, 0.6, 1.5);
            Assert.False(output.AsSpan(i * 784, 784).SequenceEqual(pixels.AsSpan(i * 784, 784)), $"image {i} was not changed");
        }
    }

    [Fact]
    public void ApplyOne_ShiftOnly_MovesTheImage()
    {
        // A single bright pixel at (10, 10), shifted by exactly +2 pixels in x needs a shift draw; check the
        // centre of mass moves by at most the configured shift instead.
        var image = new float[784];
        image[10 * 28 + 10] = 255;
        var options = new ImageAugmentationOptions { RotationDegrees = 0, Scale = 0, ShearDegrees = 0, Shift = 3.0 / 28, Elastic = false };
        var output = new float[784];

        new ImageAugmenter(options, 1, 28, 28).ApplyOne(image, output, seed: 11);

        double mass = output.Sum(v => (double)v), cx = 0, cy = 0;
        for (int p = 0; p < 784; p++)
        {
            cx += output[p] * (p % 28);
            cy += output[p] * (p / 28);
        }
        Assert.True(mass > 0);
        Assert.InRange(cx / mass, 7 - 1e-6, 13 + 1e-6);
        Assert.InRange(cy / mass, 7 - 1e-6, 13 + 1e-6);
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmenter(new ImageAugmentationOptions { RotationDegrees = -1 }, 1, 28, 28));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmenter(new ImageAugmentationOptions { ElasticProbability = 2 }, 1, 28, 28));
    }
}
