namespace MlNetDigits.Data;

/// <summary>
/// A data view over columns held in arrays (scalars as <c>T[]</c>, vectors flattened row after row). It is what the IDX
/// loader, <c>Cache</c> and <c>LoadFromEnumerable</c> produce, and it supports shuffled cursors.
/// </summary>
public sealed class InMemoryDataView : IDataView
{
    private readonly ColumnData[] _columns;

    private InMemoryDataView(DataViewSchema schema, ColumnData[] columns, int rowCount)
    {
        Schema = schema;
        _columns = columns;
        RowCount = rowCount;
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => true;

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    public long? GetRowCount() => RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int[]? order = null;
        if (rand is not null)
        {
            order = new int[RowCount];
            for (int i = 0; i < order.Length; i++)
                order[i] = i;
            for (int i = order.Length - 1; i > 0; i--)
            {
                var j = rand.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return new Cursor(this, order, columnsNeeded);
    }

    /// <summary>The raw storage of a scalar column, one item per row.</summary>
    public ReadOnlySpan<T> GetScalarColumn<T>(string name) => ((ScalarColumn<T>)_columns[Schema[name].Index]).Values;

    /// <summary>The raw storage of a vector column, rows one after another, and the vector size.</summary>
    public (ReadOnlyMemory<T> Values, int Size) GetVectorColumn<T>(string name)
    {
        var c = (VectorColumn<T>)_columns[Schema[name].Index];
        return (c.Values, c.Size);
    }

    /// <summary>Builds an <see cref="InMemoryDataView"/> column by column; every column must have the same row count.</summary>
    public sealed class Builder
    {
        private readonly List<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations, ColumnData Data)> _columns = [];
        private int? _rowCount;

        /// <summary>Adds a scalar column (<typeparamref name="T"/> must be <paramref name="type"/>'s raw type).</summary>
        public Builder AddScalar<T>(string name, PrimitiveDataViewType type, T[] values, DataViewSchema.Annotations? annotations = null)
        {
            if (type.RawType != typeof(T))
                throw new ArgumentException($"Column '{name}' of type {type} holds {type.RawType.Name} values, not {typeof(T).Name}.", nameof(values));
            CheckRows(name, values.Length);
            _columns.Add((name, type, annotations, new ScalarColumn<T>(values)));
            return this;
        }

        /// <summary>Adds a vector column from values laid out row after row.</summary>
        public Builder AddVector<T>(string name, VectorDataViewType type, T[] values, DataViewSchema.Annotations? annotations = null)
        {
            if (type.ItemType.RawType != typeof(T))
                throw new ArgumentException($"Column '{name}' of type {type} holds {type.ItemType.RawType.Name} items, not {typeof(T).Name}.", nameof(values));
            if (values.Length % type.Size != 0)
                throw new ArgumentException($"Column '{name}' has {values.Length} items, not a multiple of its vector size {type.Size}.", nameof(values));
            CheckRows(name, values.Length / type.Size);
            _columns.Add((name, type, annotations, new VectorColumn<T>(values, type.Size)));
            return this;
        }

        public InMemoryDataView Build() =>
            new(DataViewSchema.Create(_columns.Select(c => (c.Name, c.Type, c.Annotations))), [.. _columns.Select(c => c.Data)], _rowCount ?? 0);

        private void CheckRows(string name, int rows)
        {
            if (_rowCount is { } n && n != rows)
                throw new ArgumentException($"Column '{name}' has {rows} rows but the columns before it have {n}.");
            _rowCount = rows;
        }
    }

    private abstract class ColumnData
    {
        public abstract Delegate MakeGetter(Cursor cursor);
    }

    private sealed class ScalarColumn<T>(T[] values) : ColumnData
    {
        public T[] Values { get; } = values;

        public override Delegate MakeGetter(Cursor cursor) => (ValueGetter<T>)((ref T value) => value = Values[cursor.CheckedRow()]);
    }

    private sealed class VectorColumn<T>(T[] values, int size) : ColumnData
    {
        public T[] Values { get; } = values;

        public int Size { get; } = size;

        public override Delegate MakeGetter(Cursor cursor) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
            Values.AsSpan(cursor.CheckedRow() * Size, Size).CopyTo(VBuffer<T>.Edit(ref value, Size)));
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly InMemoryDataView _view;
        private readonly int[]? _order;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(InMemoryDataView view, int[]? order, IEnumerable<DataViewSchema.Column> active)
        {
            _view = view;
            _order = order;
            _active = new bool[view.Schema.Count];
            foreach (var c in active)
                _active[c.Index] = true;
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            if (_position >= _view.RowCount)
                return false;
            _position++;
            return _position < _view.RowCount;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetterType<TValue>(column);
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            return (ValueGetter<TValue>)_view._columns[column.Index].MakeGetter(this);
        }

        /// <summary>The storage row of the current position; throws when the cursor is not on a row.</summary>
        public int CheckedRow()
        {
            if (_position < 0 || _position >= _view.RowCount)
                throw new InvalidOperationException("The cursor is not on a row: call MoveNext first and check that it returned true.");
            var p = (int)_position;
            return _order is null ? p : _order[p];
        }
    }
}
