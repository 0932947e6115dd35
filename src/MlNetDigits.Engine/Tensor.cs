namespace MlNetDigits.Engine;

/// <summary>A dense float32 tensor in row-major (NCHW for images) layout over one array allocated once.</summary>
public sealed class Tensor
{
    /// <summary>A zero tensor of the given shape.</summary>
    public Tensor(params int[] shape)
    {
        Shape = CheckShape(shape);
        Data = new float[Length];
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of <paramref name="shape"/>.</summary>
    public Tensor(float[] data, params int[] shape)
    {
        Shape = CheckShape(shape);
        if (data.Length != Length)
            throw new ArgumentException($"A tensor of shape ({string.Join(", ", shape)}) needs {Length} values, got {data.Length}.", nameof(data));
        Data = data;
    }

    /// <summary>The dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Data?.Length ?? Shape.Aggregate(1, (a, b) => checked(a * b));

    /// <summary>The elements, row-major.</summary>
    public float[] Data { get; }

    public Span<float> Span => Data;

    public int Rank => Shape.Length;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Dim(int dim) => Shape[dim < 0 ? Shape.Length + dim : dim];

    public override string ToString() => $"Tensor({string.Join(", ", Shape)})";

    private static int[] CheckShape(int[] shape)
    {
        foreach (var d in shape)
            if (d < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor dimensions must not be negative: ({string.Join(", ", shape)}).");
        return [.. shape];
    }
}
