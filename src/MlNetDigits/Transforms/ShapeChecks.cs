using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Transforms;

/// <summary>Checks shared by the transform estimators' <c>GetOutputSchema</c> and their transformers.</summary>
internal static class ShapeChecks
{
    /// <summary>The column <paramref name="name"/> of <paramref name="shape"/>, or a <see cref="SchemaException"/> when it is missing or not allowed.</summary>
    public static SchemaShape.Column Require(SchemaShape shape, string name, string expected, Func<SchemaShape.Column, bool> isAllowed)
    {
        if (!shape.TryFindColumn(name, out var column))
            throw new SchemaException(name, expected, null);
        if (!isAllowed(column))
            throw new SchemaException(name, expected, column.DescribeType() + (column.IsKey ? " (key)" : ""));
        return column;
    }

    /// <summary>True for Single scalars and vectors of Single.</summary>
    public static bool IsSingleOrSingleVector(SchemaShape.Column c) => !c.IsKey && c.ItemType.Equals(NumberDataViewType.Single);

    /// <summary>True for Single scalars and vectors of Single.</summary>
    public static bool IsSingleOrSingleVector(DataViewType t) =>
        t.Equals(NumberDataViewType.Single) || t is VectorDataViewType { ItemType: NumberDataViewType n } && n.Equals(NumberDataViewType.Single);

    /// <summary>The item type of a scalar or vector type.</summary>
    public static PrimitiveDataViewType ItemType(DataViewType t) => t is VectorDataViewType v ? v.ItemType : (PrimitiveDataViewType)t;

    /// <summary>The names in <paramref name="names"/> that <paramref name="annotations"/> carries, in order.</summary>
    public static string[] Keep(IEnumerable<string> annotations, params string[] names) =>
        [.. names.Where(n => annotations.Contains(n, StringComparer.Ordinal))];
}
