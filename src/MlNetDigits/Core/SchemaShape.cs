using System.Collections;
using System.Collections.Immutable;
using MlNetDigits.Data;

namespace MlNetDigits.Core;

/// <summary>Whether a column holds one value or a vector.</summary>
public enum ColumnKind
{
    Scalar,
    Vector,
}

/// <summary>
/// What an estimator knows about a schema before fitting: column names, kinds, item types, key-ness and, where known,
/// vector dimensions. Used to check a whole chain before any stage trains.
/// </summary>
public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
{
    private readonly ImmutableArray<Column> _columns;

    public SchemaShape(IEnumerable<Column> columns)
    {
        // Later columns of the same name replace earlier ones.
        var byName = new List<Column>();
        foreach (var c in columns)
        {
            byName.RemoveAll(x => x.Name == c.Name);
            byName.Add(c);
        }
        _columns = [.. byName];
    }

    /// <summary>The shape of an actual schema.</summary>
    public static SchemaShape Create(DataViewSchema schema) =>
        new(schema.Where(c => !c.IsHidden).Select(Column.FromSchemaColumn));

    public int Count => _columns.Length;

    public Column this[int index] => _columns[index];

    public bool TryFindColumn(string name, out Column column)
    {
        foreach (var c in _columns)
        {
            if (c.Name == name)
            {
                column = c;
                return true;
            }
        }
        column = null!;
        return false;
    }

    /// <summary>A copy with <paramref name="added"/> appended (replacing columns of the same names).</summary>
    public SchemaShape With(params Column[] added) => new(_columns.Concat(added));

    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", _columns);

    /// <summary>One column's shape.</summary>
    /// <param name="Name">The column name.</param>
    /// <param name="Kind">Scalar or vector.</param>
    /// <param name="ItemType">The item type; for a key column, the key type (its count may be unknown before fitting, then 0 in <see cref="KeyCount"/>).</param>
    /// <param name="IsKey">True for key columns.</param>
    /// <param name="Dimensions">The vector dimensions when known before fitting, otherwise empty.</param>
    /// <param name="AnnotationKinds">The names of the annotations the column carries.</param>
    public sealed record Column(string Name, ColumnKind Kind, PrimitiveDataViewType ItemType, bool IsKey,
        ImmutableArray<int> Dimensions, ImmutableArray<string> AnnotationKinds)
    {
        /// <summary>The vector size when known, otherwise null.</summary>
        public int? Size => Dimensions.IsDefaultOrEmpty ? null : Dimensions.Aggregate(1, (a, b) => a * b);

        /// <summary>The key count when known, otherwise 0.</summary>
        public ulong KeyCount => ItemType is KeyDataViewType k ? k.Count : 0;

        /// <summary>
        /// For a column with a KeyValues annotation: the item type of the values when known before fitting, otherwise null.
        /// Lets <c>MapKeyToValue</c> predict its output type; stages that copy a key column should copy it
        /// (<c>column with { Name = ... }</c>).
        /// </summary>
        public PrimitiveDataViewType? KeyValuesItemType { get; init; }

        public static Column Scalar(string name, PrimitiveDataViewType type, params string[] annotations) =>
            new(name, ColumnKind.Scalar, type, type is KeyDataViewType, [], [.. annotations]);

        public static Column Vector(string name, PrimitiveDataViewType itemType, int[]? dimensions, params string[] annotations) =>
            new(name, ColumnKind.Vector, itemType, itemType is KeyDataViewType, dimensions is null ? [] : [.. dimensions], [.. annotations]);

        public static Column FromSchemaColumn(DataViewSchema.Column c)
        {
            var column = c.Type switch
            {
                VectorDataViewType v => Vector(c.Name, v.ItemType, [.. v.Dimensions], [.. c.Annotations.Names]),
                PrimitiveDataViewType p => Scalar(c.Name, p, [.. c.Annotations.Names]),
                _ => throw new NotSupportedException($"Column '{c.Name}' has unsupported type {c.Type}."),
            };
            return c.Annotations.GetTypeOrNull(MlNetDigits.Data.AnnotationKinds.KeyValues) is VectorDataViewType keyValues
                ? column with { KeyValuesItemType = keyValues.ItemType }
                : column;
        }

        /// <summary>Describes the column for messages, e.g. "Vector&lt;Single, 28, 28&gt;".</summary>
        public string DescribeType() => Kind == ColumnKind.Scalar
            ? ItemType.ToString()!
            : $"Vector<{ItemType}{(Dimensions.IsDefaultOrEmpty ? "" : ", " + string.Join(", ", Dimensions))}>";

        public override string ToString() => $"{Name}: {DescribeType()}";
    }
}
