namespace MlNetDigits.Data;

/// <summary>
/// The rows of an input from position <c>skip</c> on, at most <c>take</c> of them, in order (<c>SkipRows</c>,
/// <c>TakeRows</c>). Lazy: a cursor skips over the first rows without reading their values and stops after the last.
/// </summary>
internal sealed class RowRangeDataView(IDataView input, long skip, long take) : IDataView
{
    public DataViewSchema Schema => input.Schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => input.GetRowCount() is { } n ? Math.Clamp(n - skip, 0, take) : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(input.GetRowCursor(columnsNeeded), skip, take);

    private sealed class Cursor(DataViewRowCursor input, long skip, long take) : WrappingCursor(input)
    {
        private long _skipped;
        private long _taken;

        protected override bool MoveInputToNextSelected()
        {
            if (_taken >= take)
                return false;
            for (; _skipped < skip; _skipped++)
            {
                if (!Input.MoveNext())
                {
                    _taken = take;
                    return false;
                }
            }
            if (!Input.MoveNext())
            {
                _taken = take;
                return false;
            }
            _taken++;
            return true;
        }
    }
}
