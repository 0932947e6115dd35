namespace MlNetDigits.Data;

/// <summary>
/// Marks an array field or property as a vector column of a known size, optionally with several dimensions
/// (row-major, outermost first: <c>[VectorType(28, 28)]</c> on a <c>float[]</c> of 784 items). Loading rows from
/// objects needs the size; reading rows into objects checks it when given.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class VectorTypeAttribute : Attribute
{
    /// <summary>A vector whose size is not stated (accepted when reading rows into objects; any size matches).</summary>
    public VectorTypeAttribute() => Dimensions = [];

    /// <param name="dimensions">The dimensions, each positive; their product is the vector size.</param>
    public VectorTypeAttribute(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        foreach (var d in dimensions)
            if (d <= 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), d, "Vector dimensions must be positive.");
        Dimensions = [.. dimensions];
    }

    /// <summary>The dimensions, outermost first; empty when the size is not stated.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The number of items (the product of the dimensions), or 0 when not stated.</summary>
    public int Size => Dimensions.Count == 0 ? 0 : Dimensions.Aggregate(1, (a, d) => checked(a * d));
}
