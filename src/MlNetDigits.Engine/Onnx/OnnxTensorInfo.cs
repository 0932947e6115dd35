using System.Globalization;

namespace MlNetDigits.Engine.Onnx;

/// <summary>
/// One input or output of an ONNX graph as plain data: its name, its element type as ONNX names it in lower case, and
/// its dimensions, -1 where a dimension is symbolic (its name, such as "N", is then in <see cref="DimensionNames"/>) or unknown.
/// </summary>
public sealed class OnnxTensorInfo
{
    /// <summary>Describes a value; <paramref name="dimensions"/> and <paramref name="dimensionNames"/> are both null (unknown rank) or of one length.</summary>
    public OnnxTensorInfo(string name, string elementType, IReadOnlyList<int>? dimensions, IReadOnlyList<string?>? dimensionNames)
    {
        if ((dimensions is null) != (dimensionNames is null) || (dimensions is not null && dimensions.Count != dimensionNames!.Count))
            throw new ArgumentException($"'{name}': dimensions and their names must both be null or have the same length.", nameof(dimensionNames));
        Name = name;
        ElementType = elementType;
        Dimensions = dimensions;
        DimensionNames = dimensionNames;
    }

    /// <summary>The value's name in the graph.</summary>
    public string Name { get; }

    /// <summary>"float" (32-bit), "double", "int64", "uint8", "bool", "string", ... for a tensor; "sequence", "map", "optional" or "sparse_tensor" for other types; "undefined" when unset.</summary>
    public string ElementType { get; }

    /// <summary>The sizes, -1 for a symbolic or unknown dimension; null when the rank is unknown.</summary>
    public IReadOnlyList<int>? Dimensions { get; }

    /// <summary>Per dimension, its symbolic name (e.g. "N") or null; null when the rank is unknown.</summary>
    public IReadOnlyList<string?>? DimensionNames { get; }

    /// <summary>The shape as "(N, 1, 28, 28)", "?" standing for an unnamed unknown dimension; "unknown" when the rank is.</summary>
    public string ShapeText => Dimensions is null
        ? "unknown"
        : "(" + string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : DimensionNames![i] ?? "?")) + ")";

    /// <summary>"Image: float (N, 1, 28, 28)".</summary>
    public override string ToString() => $"{Name}: {ElementType} {ShapeText}";
}
