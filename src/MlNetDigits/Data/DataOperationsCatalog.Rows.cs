namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>The first <paramref name="count"/> rows of <paramref name="input"/> (all of them when it has fewer), lazily.</summary>
    public IDataView TakeRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new RowRangeDataView(input, 0, count);
    }

    /// <summary>The rows of <paramref name="input"/> after the first <paramref name="count"/>, lazily.</summary>
    public IDataView SkipRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new RowRangeDataView(input, count, long.MaxValue);
    }
}
