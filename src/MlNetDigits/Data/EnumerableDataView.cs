namespace MlNetDigits.Data;

/// <summary>
/// A streaming data view over a sequence of objects (what <c>LoadFromEnumerable</c> returns): every cursor enumerates
/// the sequence again and reads the mapped members of the current object on demand, so nothing is copied up front.
/// </summary>
internal sealed class EnumerableDataView<TRow> : IDataView where TRow : class
{
    private readonly IEnumerable<TRow> _data;
    private readonly RowMemberAccessor<TRow>[] _accessors;

    public EnumerableDataView(IEnumerable<TRow> data, SchemaDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(definition);
        _data = data;
        _accessors = [.. definition.Select(RowMemberAccessor<TRow>.Create)];
        foreach (var a in _accessors)
        {
            a.EnsureReadable();
            if (a.Definition.ColumnType is null)
                throw new ArgumentException(
                    $"Member '{a.MemberDescription}' is an array without a size, so column '{a.Definition.ColumnName}' has no type: add [VectorType(size)] (or [VectorType(d1, d2, ...)]) to the member, or set ColumnType in a SchemaDefinition.");
        }
        Schema = DataViewSchema.Create(_accessors.Select(a => (a.Definition.ColumnName, a.Definition.ColumnType!, (DataViewSchema.Annotations?)a.Definition.Annotations)));
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _data switch
    {
        ICollection<TRow> c => c.Count,
        IReadOnlyCollection<TRow> c => c.Count,
        _ => null,
    };

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly EnumerableDataView<TRow> _view;
        private readonly IEnumerator<TRow> _rows;
        private readonly Delegate?[] _getters;
        private TRow? _current;
        private long _position = -1;
        private bool _done;

        public Cursor(EnumerableDataView<TRow> view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _view = view;
            _getters = new Delegate?[view.Schema.Count];
            foreach (var c in columnsNeeded)
                _getters[c.Index] = view._accessors[c.Index].MakeColumnGetter(CurrentRow, () => _position);
            _rows = view._data.GetEnumerator();
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            if (_done)
                return false;
            if (!_rows.MoveNext())
            {
                _done = true;
                _current = null;
                return false;
            }
            _position++;
            _current = _rows.Current ?? throw new InvalidOperationException(
                $"Row {_position} of the {typeof(TRow).Name} sequence is null; every item must be an object.");
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _getters[column.Index] is not null;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetterType<TValue>(column);
            return _getters[column.Index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _rows.Dispose();
        }

        private TRow CurrentRow() => _current
            ?? throw new InvalidOperationException("The cursor is not on a row: call MoveNext first and check that it returned true.");
    }
}
