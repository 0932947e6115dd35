namespace MlNetDigits.Data;

/// <summary>
/// The rows of an input that a predicate keeps, in order (<c>FilterRowsByColumn</c>, the two halves of
/// <c>TrainTestSplit</c>). The predicate is made per cursor from the input cursor, so it can read column values or the
/// input position without allocating per row.
/// </summary>
internal sealed class RowFilterDataView : IDataView
{
    private readonly IDataView _input;
    private readonly Func<DataViewRowCursor, Func<bool>> _makePredicate;
    private readonly DataViewSchema.Column[] _predicateColumns;
    private readonly Func<long?> _rowCount;

    /// <param name="input">The rows to filter.</param>
    /// <param name="makePredicate">Given the input cursor, a function telling whether its current row is kept.</param>
    /// <param name="predicateColumns">Input columns the predicate reads (made active on the input cursor).</param>
    /// <param name="rowCount">The number of kept rows when known without a pass, or null.</param>
    public RowFilterDataView(IDataView input, Func<DataViewRowCursor, Func<bool>> makePredicate,
        IEnumerable<DataViewSchema.Column> predicateColumns, Func<long?>? rowCount = null)
    {
        _input = input;
        _makePredicate = makePredicate;
        _predicateColumns = [.. predicateColumns];
        _rowCount = rowCount ?? (() => null);
    }

    public DataViewSchema Schema => _input.Schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => _rowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Concat(_predicateColumns).DistinctBy(c => c.Index);
        var input = _input.GetRowCursor(needed);
        return new Cursor(input, _makePredicate(input));
    }

    private sealed class Cursor(DataViewRowCursor input, Func<bool> keep) : WrappingCursor(input)
    {
        protected override bool MoveInputToNextSelected()
        {
            while (Input.MoveNext())
                if (keep())
                    return true;
            return false;
        }
    }
}
