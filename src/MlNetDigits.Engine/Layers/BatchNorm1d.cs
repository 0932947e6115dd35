namespace MlNetDigits.Engine.Layers;

/// <summary>Batch normalisation of features (N, C) or sequences (N, C, L) per channel (PyTorch's BatchNorm1d).</summary>
public sealed class BatchNorm1d : BatchNorm
{
    public BatchNorm1d(int features, double eps = 1e-5, double momentum = 0.1) : base(features, eps, momentum)
    {
    }

    protected override (int Batch, int Plane) CheckInput(Tensor input)
    {
        if ((input.Rank != 2 && input.Rank != 3) || input.Shape[1] != Features)
            throw ShapeError($"(N, {Features}) or (N, {Features}, L)", input);
        return (input.Shape[0], input.Rank == 3 ? input.Shape[2] : 1);
    }

    public override string ToString() => $"BatchNorm1d({Features})";
}
