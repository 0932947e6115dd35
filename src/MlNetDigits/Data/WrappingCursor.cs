namespace MlNetDigits.Data;

/// <summary>
/// A cursor that shows some of the rows of an input cursor unchanged: values come straight from the input's getters, and
/// subclasses decide in <see cref="MoveNext"/> which input rows to stop on. The base of the row-selecting views.
/// </summary>
internal abstract class WrappingCursor(DataViewRowCursor input) : DataViewRowCursor
{
    private long _position = -1;

    protected DataViewRowCursor Input { get; } = input;

    public override DataViewSchema Schema => Input.Schema;

    public override long Position => _position;

    public override bool IsColumnActive(DataViewSchema.Column column) => Input.IsColumnActive(column);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => Input.GetGetter<TValue>(column);

    public sealed override bool MoveNext()
    {
        if (!MoveInputToNextSelected())
            return false;
        _position++;
        return true;
    }

    /// <summary>Moves <see cref="Input"/> to the next row to show; false when there is none.</summary>
    protected abstract bool MoveInputToNextSelected();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Input.Dispose();
    }
}
