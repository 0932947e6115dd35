namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// A view that reads <paramref name="input"/> once into memory and serves every later pass from there (and can
    /// shuffle). The read happens on the first cursor, or now when <paramref name="columnsToPrefetch"/> names columns
    /// (unlike ML.NET, which caches column by column, every column is read in that one pass). A view already in memory
    /// (an <see cref="InMemoryDataView"/> or a cache) is returned as it is.
    /// </summary>
    /// <param name="input">The view to cache.</param>
    /// <param name="columnsToPrefetch">Columns to read now; each must exist.</param>
    public IDataView Cache(IDataView input, params string[] columnsToPrefetch)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(columnsToPrefetch);
        foreach (var name in columnsToPrefetch)
        {
            if (input.Schema.GetColumnOrNull(name) is null)
                throw new ArgumentOutOfRangeException(nameof(columnsToPrefetch),
                    $"Column '{name}' to prefetch not found. Available columns: {input.Schema.DescribeNames()}.");
        }
        if (input is InMemoryDataView or CacheDataView)
            return input;
        var cache = new CacheDataView(input);
        if (columnsToPrefetch.Length > 0)
            cache.Fill();
        return cache;
    }
}
