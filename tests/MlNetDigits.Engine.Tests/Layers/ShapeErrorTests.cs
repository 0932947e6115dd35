using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;

namespace MlNetDigits.Engine.Tests.Layers;

public class ShapeErrorTests
{
    [Fact]
    public void Conv2d_ThrowsNamingTheLayerAndBothShapes_GivenWrongInputChannels()
    {
        var net = Architectures.Fast(new Rng(1));
        var ex = Assert.Throws<ShapeMismatchException>(() => net.Forward(new Tensor(2, 3, 28, 28)));
        Assert.Contains("layer 0 (Conv2d(1, 24, kernel_size=5))", ex.Message);
        Assert.Contains("(N, 1, H, W)", ex.Message);
        Assert.Contains("(2, 3, 28, 28)", ex.Message);
    }

    [Fact]
    public void Conv2d_ThrowsNamingTheLayer_GivenAnImageTooSmallForTheKernel()
    {
        var net = Architectures.Fast(new Rng(1));
        // 12x12 -> conv5 -> 8x8 -> pool -> 4x4 -> ReLU -> conv3 -> 2x2 -> pool -> 1x1 -> Dense(800) fails; 8x8 fails at conv 3.
        var ex = Assert.Throws<ShapeMismatchException>(() => net.Forward(new Tensor(1, 1, 8, 8)));
        Assert.Contains("layer 3 (Conv2d(24, 32, kernel_size=3))", ex.Message);
        Assert.Contains("H, W >= 3", ex.Message);
        Assert.Contains("(1, 24, 2, 2)", ex.Message);
    }

    [Fact]
    public void Dense_ThrowsNamingTheLayerAndBothShapes_GivenWrongFeatureCount()
    {
        var net = Architectures.Fast(new Rng(1));
        var ex = Assert.Throws<ShapeMismatchException>(() => net.Forward(new Tensor(2, 1, 32, 32)));
        Assert.Contains("layer 7 (Dense(in_features=800, out_features=256))", ex.Message);
        Assert.Contains("(N, 800)", ex.Message);
        Assert.Contains("(2, 1152)", ex.Message);
    }

    [Fact]
    public void MaxPool2d_ThrowsNamingTheLayer_GivenAPlaneSmallerThanTheWindow()
    {
        var net = new Sequential(new ReLU(), new MaxPool2d(4));
        var ex = Assert.Throws<ShapeMismatchException>(() => net.Forward(new Tensor(1, 2, 3, 9)));
        Assert.Contains("layer 1 (MaxPool2d(kernel_size=4, stride=4))", ex.Message);
        Assert.Contains("(1, 2, 3, 9)", ex.Message);
    }

    [Fact]
    public void BatchNorm2d_ThrowsNamingTheLayer_GivenWrongChannels()
    {
        var net = new Sequential(new BatchNorm2d(3));
        var ex = Assert.Throws<ShapeMismatchException>(() => net.Forward(new Tensor(2, 4, 5, 5)));
        Assert.Contains("layer 0 (BatchNorm2d(3))", ex.Message);
        Assert.Contains("(2, 4, 5, 5)", ex.Message);
    }

    [Fact]
    public void Backward_ThrowsGivenAGradientOfTheWrongShape()
    {
        var dense = new Dense(3, 2, new Rng(1));
        dense.Forward(new Tensor(4, 3));
        var ex = Assert.Throws<ShapeMismatchException>(() => dense.Backward(new Tensor(4, 3)));
        Assert.Contains("(4, 2)", ex.Message);
    }
}
