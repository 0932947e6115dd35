namespace MlNetDigits.Engine.Layers;

/// <summary>Batch normalisation of images (N, C, H, W) per channel, statistics over N, H and W (PyTorch's BatchNorm2d).</summary>
public sealed class BatchNorm2d : BatchNorm
{
    public BatchNorm2d(int channels, double eps = 1e-5, double momentum = 0.1) : base(channels, eps, momentum)
    {
    }

    protected override (int Batch, int Plane) CheckInput(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != Features)
            throw ShapeError($"(N, {Features}, H, W)", input);
        return (input.Shape[0], input.Shape[2] * input.Shape[3]);
    }

    public override string ToString() => $"BatchNorm2d({Features})";
}
