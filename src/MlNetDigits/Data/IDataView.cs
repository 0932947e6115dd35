namespace MlNetDigits.Data;

/// <summary>Reads one value of a column of the current row into <paramref name="value"/> (reusing its buffers).</summary>
public delegate void ValueGetter<TValue>(ref TValue value);

/// <summary>
/// A lazy, schema'd table read through cursors, as in ML.NET: nothing is computed until a cursor moves,
/// and a view can be read any number of times.
/// </summary>
public interface IDataView
{
    DataViewSchema Schema { get; }

    /// <summary>True when <see cref="GetRowCursor"/> honours a random source by visiting rows in a shuffled order.</summary>
    bool CanShuffle { get; }

    /// <summary>The number of rows when it is known without a pass over the data; otherwise null.</summary>
    long? GetRowCount();

    /// <summary>
    /// A cursor that makes the values of <paramref name="columnsNeeded"/> available. When <paramref name="rand"/> is given
    /// and <see cref="CanShuffle"/> is true, rows come in an order drawn from it.
    /// </summary>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);
}

/// <summary>A row whose column values are read through getters.</summary>
public abstract class DataViewRow : IDisposable
{
    public abstract DataViewSchema Schema { get; }

    /// <summary>The position of the row in its cursor's sequence, 0-based; -1 before the first move.</summary>
    public abstract long Position { get; }

    /// <summary>True when the cursor was asked for <paramref name="column"/>.</summary>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>A getter for <paramref name="column"/>; <typeparamref name="TValue"/> must be the column type's raw type.</summary>
    public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }

    /// <summary>Throws a clear error when <typeparamref name="TValue"/> does not match <paramref name="column"/>'s type.</summary>
    protected static void CheckGetterType<TValue>(DataViewSchema.Column column)
    {
        if (typeof(TValue) != column.Type.RawType)
            throw new InvalidOperationException(
                $"Column '{column.Name}' has type {column.Type}, read as {column.Type.RawType.Name}; a getter of {typeof(TValue).Name} was asked for.");
    }
}

/// <summary>A row that moves forward through a data view.</summary>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Advances to the next row; false when there are no more.</summary>
    public abstract bool MoveNext();
}
