namespace MlNetDigits.Core;

/// <summary>
/// Compares the schema shape an estimator predicts before fitting with the shape of the schema its transformer actually
/// produces: what the estimator contract promises.
/// </summary>
public static class SchemaShapeComparison
{
    /// <summary>
    /// True when <paramref name="actual"/> is what <paramref name="predicted"/> promised: same name, kind, key-ness and item
    /// type (a key of unknown count matches any count), same dimensions when they were predicted, same annotation names.
    /// </summary>
    public static bool IsCompatibleWith(this SchemaShape.Column predicted, SchemaShape.Column actual) =>
        Describe(predicted, actual) is null;

    /// <summary>
    /// The first difference between <paramref name="predicted"/> and <paramref name="actual"/>, as a sentence for a test or
    /// log message; null when every column matches.
    /// </summary>
    public static string? FindMismatch(this SchemaShape predicted, SchemaShape actual)
    {
        if (predicted.Count != actual.Count)
            return $"predicted {predicted.Count} columns ({predicted}), found {actual.Count} ({actual}).";
        foreach (var p in predicted)
        {
            if (!actual.TryFindColumn(p.Name, out var a))
                return $"predicted column '{p.Name}' is missing from the actual schema ({actual}).";
            if (Describe(p, a) is { } difference)
                return difference;
        }
        return null;
    }

    private static string? Describe(SchemaShape.Column p, SchemaShape.Column a)
    {
        if (p.Name != a.Name)
            return $"predicted column '{p.Name}', found '{a.Name}'.";
        if (p.Kind != a.Kind || p.IsKey != a.IsKey)
            return $"column '{p.Name}': predicted {p.DescribeType()}{(p.IsKey ? " (key)" : "")}, found {a.DescribeType()}{(a.IsKey ? " (key)" : "")}.";
        var sameItem = p.IsKey
            ? p.KeyCount == 0 || p.KeyCount == a.KeyCount
            : p.ItemType.Equals(a.ItemType);
        if (!sameItem)
            return $"column '{p.Name}': predicted item type {p.ItemType}, found {a.ItemType}.";
        if (!p.Dimensions.IsDefaultOrEmpty && !p.Dimensions.SequenceEqual(a.Dimensions))
            return $"column '{p.Name}': predicted {p.DescribeType()}, found {a.DescribeType()}.";
        var pa = p.AnnotationKinds.IsDefault ? [] : p.AnnotationKinds.Order(StringComparer.Ordinal).ToArray();
        var aa = a.AnnotationKinds.IsDefault ? [] : a.AnnotationKinds.Order(StringComparer.Ordinal).ToArray();
        if (!pa.SequenceEqual(aa))
            return $"column '{p.Name}': predicted annotations [{string.Join(", ", pa)}], found [{string.Join(", ", aa)}].";
        if (p.KeyValuesItemType is { } pk && a.KeyValuesItemType is { } ak && !pk.Equals(ak))
            return $"column '{p.Name}': predicted key values of {pk}, found {ak}.";
        return null;
    }
}
