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

    /// <summary>The shape as PyTorch prints it, e.g. "(256, 1, 28, 28)".</summary>
    public string ShapeText => ShapeToText(Shape);

    /// <summary>True when this tensor has exactly the dimensions <paramref name="shape"/>.</summary>
    public bool HasShape(ReadOnlySpan<int> shape) => Shape.AsSpan().SequenceEqual(shape);

    /// <summary>A tensor of <paramref name="shape"/> that shares this tensor's data (no copy); the element count must match.</summary>
    public Tensor Reshape(params int[] shape) => new(Data, shape);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(Data);

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (same element count).</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Length != Length)
            throw new ArgumentException($"Cannot copy a tensor of shape {source.ShapeText} into one of shape {ShapeText}.", nameof(source));
        source.Data.AsSpan().CopyTo(Data);
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), Shape);

    /// <summary>Formats dimensions as "(a, b, c)".</summary>
    public static string ShapeToText(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
            parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "(" + string.Join(", ", parts) + ")";
    }

    public override string ToString() => $"Tensor({string.Join(", ", Shape)})";

    private static int[] CheckShape(int[] shape)
    {
        foreach (var d in shape)
            if (d < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor dimensions must not be negative: ({string.Join(", ", shape)}).");
        return [.. shape];
    }
}
