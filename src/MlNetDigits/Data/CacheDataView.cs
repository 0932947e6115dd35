namespace MlNetDigits.Data;

/// <summary>
/// An input read once into memory (<c>Cache</c>): the first cursor (or the <c>Cache</c> call itself, when columns to
/// prefetch are named) reads every column of the input in one pass into an <see cref="InMemoryDataView"/>; every later
/// cursor, from any thread, reads that copy, which can also shuffle.
/// </summary>
internal sealed class CacheDataView : IDataView
{
    private readonly IDataView _input;
    private readonly Lazy<InMemoryDataView> _cache;

    public CacheDataView(IDataView input)
    {
        _input = input;
        _cache = new Lazy<InMemoryDataView>(Materialize, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public DataViewSchema Schema => _input.Schema;

    public bool CanShuffle => true;

    /// <summary>True once the input has been read.</summary>
    public bool IsFilled => _cache.IsValueCreated;

    public long? GetRowCount() => _cache.IsValueCreated ? _cache.Value.RowCount : _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        // The cached schema has the same columns at the same positions, so columns map by index.
        var cached = _cache.Value;
        return cached.GetRowCursor(columnsNeeded.Select(c => cached.Schema[c.Index]), rand);
    }

    /// <summary>Reads the input now, if it has not been read yet.</summary>
    public void Fill() => _ = _cache.Value;

    private InMemoryDataView Materialize()
    {
        var known = _input.GetRowCount();
        if (known > Array.MaxLength)
            throw new InvalidOperationException($"The data view has {known} rows; a cache holds at most {Array.MaxLength}.");
        var capacity = (int)(known ?? 1024);
        var columns = _input.Schema.ToArray();
        var stores = columns.Select(c => ColumnStore.Create(c.Type, capacity)).ToArray();
        int rows = 0;
        using (var cursor = _input.GetRowCursor(columns))
        {
            for (int i = 0; i < columns.Length; i++)
                stores[i].Attach(cursor, columns[i]);
            while (cursor.MoveNext())
            {
                if (rows == Array.MaxLength)
                    throw new InvalidOperationException($"The data view has more than {Array.MaxLength} rows, more than a cache can hold.");
                foreach (var store in stores)
                    store.Store(rows);
                rows++;
            }
        }
        var builder = new InMemoryDataView.Builder();
        for (int i = 0; i < columns.Length; i++)
            stores[i].AddTo(builder, columns[i].Name, columns[i].Annotations, rows);
        return builder.Build();
    }
}
