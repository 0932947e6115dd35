using System.Collections;

namespace MlNetDigits.Data;

/// <summary>
/// The rows of a data view as objects (what <c>CreateEnumerable</c> returns). Members are bound to columns once, when it is
/// made, so a missing or mistyped column fails before any row is read; each enumeration opens a new cursor over only the
/// bound columns.
/// </summary>
internal sealed class TypedRowEnumerable<TRow> : IEnumerable<TRow> where TRow : class, new()
{
    private readonly IDataView _data;
    private readonly bool _reuseRowObject;
    private readonly (RowMemberAccessor<TRow> Accessor, DataViewSchema.Column Column)[] _bindings;

    public TypedRowEnumerable(IDataView data, bool reuseRowObject, bool ignoreMissingColumns, SchemaDefinition definition)
    {
        _data = data;
        _reuseRowObject = reuseRowObject;
        var bindings = new List<(RowMemberAccessor<TRow>, DataViewSchema.Column)>();
        foreach (var d in definition)
        {
            var accessor = RowMemberAccessor<TRow>.Create(d);
            var column = data.Schema.GetColumnOrNull(d.ColumnName);
            if (column is null)
            {
                if (ignoreMissingColumns)
                    continue;
                throw new ArgumentOutOfRangeException(nameof(data),
                    $"Member '{accessor.MemberDescription}' reads column '{d.ColumnName}', which the data view does not have. Available columns: {data.Schema.DescribeNames()}. Rename it with [ColumnName(\"...\")] or leave it out with [NoColumn].");
            }
            CheckCompatible(accessor, column);
            accessor.EnsureWritable();
            bindings.Add((accessor, column));
        }
        _bindings = [.. bindings];
    }

    public IEnumerator<TRow> GetEnumerator()
    {
        using var cursor = _data.GetRowCursor(_bindings.Select(b => b.Column));
        var fillers = _bindings.Select(b => b.Accessor.MakeMemberFiller(cursor, b.Column, _reuseRowObject)).ToArray();
        TRow? reused = null;
        while (cursor.MoveNext())
        {
            var row = _reuseRowObject ? reused ??= new TRow() : new TRow();
            foreach (var fill in fillers)
                fill(row);
            yield return row;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Throws naming the member and the column when the member cannot hold the column's values: the item types must
    /// match (a uint member reads a key column), scalars go to scalars and vectors to arrays of the same size if stated.
    /// </summary>
    private static void CheckCompatible(RowMemberAccessor<TRow> accessor, DataViewSchema.Column column)
    {
        var expected = accessor.Definition.ColumnType;
        var found = column.Type;
        var memberType = SchemaDefinition.MemberType(accessor.Member);
        bool ok = (expected, found) switch
        {
            (VectorDataViewType e, VectorDataViewType f) => e.ItemType.RawType == f.ItemType.RawType && e.Size == f.Size,
            (null, VectorDataViewType f) => memberType.GetElementType() == f.ItemType.RawType,
            (PrimitiveDataViewType e, PrimitiveDataViewType f) => e.RawType == f.RawType,
            _ => false,
        };
        if (!ok)
        {
            var wanted = expected?.ToString() ?? $"a vector of {memberType.GetElementType()?.Name}";
            throw new ArgumentException(
                $"Column '{column.Name}' is {found}, but member '{accessor.MemberDescription}' ({memberType.Name}) expects {wanted}. Change the member's type or [VectorType], or map it to another column with [ColumnName].");
        }
    }
}
