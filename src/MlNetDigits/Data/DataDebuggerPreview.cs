using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace MlNetDigits.Data;

/// <summary>
/// The first rows of a data view, copied out for looking at in a debugger, a notebook or a console: the schema, the values
/// column by column (<see cref="ColumnView"/>) and row by row (<see cref="RowView"/>). Scalars are boxed values, text is
/// <see cref="string"/>, vectors are <see cref="VBuffer{T}"/> copies. Made by <see cref="DebuggerExtensions.Preview"/>.
/// </summary>
[MlNetDigits.Display.TypeFormatterSource(typeof(MlNetDigits.Display.DisplayFormatterSource))] // rich display in Polyglot Notebooks
public sealed class DataDebuggerPreview
{
    /// <summary>Items of a vector shown by <see cref="ToString"/> before it abbreviates.</summary>
    public const int VectorItemsShown = 8;

    internal DataDebuggerPreview(IDataView data, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        Schema = data.Schema;
        var columns = data.Schema.Where(c => !c.IsHidden).ToArray();
        var stores = columns.Select(c => ColumnStore.Create(c.Type, (int)Math.Min(maxRows, 256))).ToArray();
        int rows = 0;
        using (var cursor = data.GetRowCursor(columns))
        {
            for (int i = 0; i < columns.Length; i++)
                stores[i].Attach(cursor, columns[i]);
            while (rows < maxRows && cursor.MoveNext())
            {
                foreach (var store in stores)
                    store.Store(rows);
                rows++;
            }
        }
        var values = stores.Select(s => Enumerable.Range(0, rows).Select(s.Box).ToArray()).ToArray();
        ColumnView = [.. columns.Select((c, i) => new ColumnInfo(c, values[i]))];
        RowView = [.. Enumerable.Range(0, rows).Select(r =>
            new RowInfo([.. columns.Select((c, i) => new KeyValuePair<string, object>(c.Name, values[i][r]))]))];
    }

    /// <summary>The schema of the previewed view.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The values of each visible column, one per previewed row.</summary>
    public ImmutableArray<ColumnInfo> ColumnView { get; }

    /// <summary>The previewed rows, each as (column name, value) pairs in column order.</summary>
    public ImmutableArray<RowInfo> RowView { get; }

    /// <summary>The schema, then one line per row ("Label: 5 | Image: [0, 0, ... (784 items)]").</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{ColumnView.Length} columns, {RowView.Length} rows").AppendLine();
        foreach (var c in ColumnView)
            text.Append("  ").Append(c.Column).AppendLine();
        for (int r = 0; r < RowView.Length; r++)
            text.Append(CultureInfo.InvariantCulture, $"[{r}] ").Append(RowView[r]).AppendLine();
        return text.ToString();
    }

    /// <summary>A value as text: numbers in invariant culture, vectors abbreviated after <see cref="VectorItemsShown"/> items.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ when value.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(VBuffer<>) =>
            (string)typeof(DataDebuggerPreview).GetMethod(nameof(FormatVector), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(t.GetGenericArguments()[0]).Invoke(null, [value])!,
        _ => value.ToString() ?? "",
    };

    private static string FormatVector<T>(VBuffer<T> vector)
    {
        var items = vector.GetValues();
        var shown = Math.Min(items.Length, VectorItemsShown);
        var text = new StringBuilder("[");
        for (int i = 0; i < shown; i++)
            text.Append(i == 0 ? "" : ", ").Append(FormatValue(items[i]));
        if (shown < items.Length)
            text.Append(CultureInfo.InvariantCulture, $", ... ({items.Length} items)");
        return text.Append(']').ToString();
    }

    /// <summary>One column of the preview: the column and its values, one per row.</summary>
    public sealed class ColumnInfo
    {
        internal ColumnInfo(DataViewSchema.Column column, object[] values)
        {
            Column = column;
            Values = values;
        }

        public DataViewSchema.Column Column { get; }

        public object[] Values { get; }

        public override string ToString() => $"{Column.Name}: {string.Join(", ", Values.Select(FormatValue))}";
    }

    /// <summary>One row of the preview: (column name, value) pairs in column order.</summary>
    public sealed class RowInfo
    {
        internal RowInfo(KeyValuePair<string, object>[] values) => Values = values;

        public KeyValuePair<string, object>[] Values { get; }

        public override string ToString() => string.Join(" | ", Values.Select(kv => $"{kv.Key}: {FormatValue(kv.Value)}"));
    }
}
