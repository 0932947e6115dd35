namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// A streaming data view over <paramref name="data"/>: one column per public field or property of
    /// <typeparamref name="TRow"/> (see <see cref="SchemaDefinition.Create"/>). The sequence is enumerated again by every
    /// cursor and never copied, so it must give the same items each time; call <c>Cache</c> to read it only once.
    /// </summary>
    /// <param name="data">The rows.</param>
    /// <param name="schemaDefinition">The member-to-column mapping; by default read off <typeparamref name="TRow"/>'s attributes.</param>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, SchemaDefinition? schemaDefinition = null)
        where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        return new EnumerableDataView<TRow>(data, schemaDefinition ?? SchemaDefinition.Create(typeof(TRow), SchemaDefinition.Direction.Read));
    }

    /// <summary>
    /// A streaming view over <paramref name="data"/> whose schema is <paramref name="schema"/>: each of its columns is read
    /// from the member of <typeparamref name="TRow"/> with that column name, and keeps the column's type and annotations
    /// (so an image column can carry its shape, a key column its values).
    /// </summary>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, DataViewSchema schema)
        where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(schema);
        var members = SchemaDefinition.Create(typeof(TRow), SchemaDefinition.Direction.Read);
        var definition = new SchemaDefinition();
        foreach (var column in schema.Where(c => !c.IsHidden))
        {
            var member = members.LastOrDefault(m => m.ColumnName == column.Name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
                $"Column '{column.Name}' of the schema has no member in {typeof(TRow).Name}. Members map to: {string.Join(", ", members.Select(m => $"'{m.ColumnName}'"))}.");
            definition.Add(new SchemaDefinition.Column(member.MemberName, column.Type, column.Name) { Annotations = column.Annotations });
        }
        return new EnumerableDataView<TRow>(data, definition);
    }

    /// <summary>
    /// The rows of <paramref name="data"/> as <typeparamref name="TRow"/> objects, each member filled from the column of
    /// its name (<see cref="ColumnNameAttribute"/>). Members are checked against the schema now: a missing column, another
    /// item type or another vector size throws naming the member and the column. Enumeration is lazy (one cursor each time).
    /// </summary>
    /// <param name="data">The data view to read.</param>
    /// <param name="reuseRowObject">Fill one object for every row (and its arrays, when their length fits) instead of a new one per row.</param>
    /// <param name="ignoreMissingColumns">Leave members whose column is absent at their default instead of throwing.</param>
    /// <param name="schemaDefinition">The member-to-column mapping; by default read off <typeparamref name="TRow"/>'s attributes.</param>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject = false, bool ignoreMissingColumns = false,
        SchemaDefinition? schemaDefinition = null)
        where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        return new TypedRowEnumerable<TRow>(data, reuseRowObject, ignoreMissingColumns,
            schemaDefinition ?? SchemaDefinition.Create(typeof(TRow), SchemaDefinition.Direction.Write));
    }
}
