using MlNetDigits.Data;

namespace MlNetDigits.Prediction;

/// <summary>Reading what a model's output schema says about its classes.</summary>
public static class ModelSchemaExtensions
{
    /// <summary>The name of the multiclass probabilities column.</summary>
    public const string DefaultScoreColumnName = "Score";

    /// <summary>
    /// The class name of each slot of vector column <paramref name="scoreColumnName"/> (its SlotNames annotation), or null
    /// when the column is absent or has no slot names. Slot i of a Score vector is the probability of class name i.
    /// </summary>
    public static IReadOnlyList<string>? GetClassNames(this DataViewSchema schema, string scoreColumnName = DefaultScoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.GetColumnOrNull(scoreColumnName) is not { Type: VectorDataViewType vector } column)
            return null;
        if (!column.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var names) || names.Length != vector.Size)
            return null;
        return Array.AsReadOnly(names.ToArray());
    }
}
