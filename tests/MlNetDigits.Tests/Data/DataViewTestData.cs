using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

/// <summary>Small data views for the data operation tests, and a view that counts the cursors opened on it.</summary>
internal static class DataViewTestData
{
    /// <summary>
    /// <paramref name="rows"/> rows: "Id" (Int32 = row index), "Label" (UInt32 = a digit, row % classes) and "Image"
    /// (Vector&lt;Single, 2, 2&gt; = {id, id + 0.25, id + 0.5, id + 0.75}) carrying an ImageShape {1, 2, 2} annotation.
    /// </summary>
    public static InMemoryDataView Digits(int rows, int classes = 10)
    {
        var ids = Enumerable.Range(0, rows).ToArray();
        var labels = ids.Select(i => (uint)(i % classes)).ToArray();
        var pixels = ids.SelectMany(i => new[] { i, i + 0.25f, i + 0.5f, i + 0.75f }).ToArray();
        return new InMemoryDataView.Builder()
            .AddScalar("Id", NumberDataViewType.Int32, ids)
            .AddScalar("Label", NumberDataViewType.UInt32, labels)
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 2, 2), pixels,
                DataViewSchema.Annotations.Empty.WithImageShape(1, 2, 2))
            .Build();
    }

    /// <summary>The values of Int32 column <paramref name="name"/> in cursor order.</summary>
    public static List<int> ReadInts(IDataView data, string name = "Id")
    {
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<int>(column);
        var values = new List<int>();
        int value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value);
        }
        return values;
    }

    /// <summary>The values of UInt32 column <paramref name="name"/> in cursor order.</summary>
    public static List<uint> ReadUInts(IDataView data, string name = "Label")
    {
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<uint>(column);
        var values = new List<uint>();
        uint value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value);
        }
        return values;
    }

    /// <summary>Every row as (id, label, image items), reading all three columns through one cursor.</summary>
    public static List<(int Id, uint Label, float[] Image)> ReadAll(IDataView data)
    {
        var columns = new[] { data.Schema["Id"], data.Schema["Label"], data.Schema["Image"] };
        using var cursor = data.GetRowCursor(columns);
        var id = cursor.GetGetter<int>(columns[0]);
        var label = cursor.GetGetter<uint>(columns[1]);
        var image = cursor.GetGetter<VBuffer<float>>(columns[2]);
        var rows = new List<(int, uint, float[])>();
        int i = 0;
        uint l = 0;
        VBuffer<float> v = default;
        while (cursor.MoveNext())
        {
            id(ref i);
            label(ref l);
            image(ref v);
            rows.Add((i, l, v.ToArray()));
        }
        return rows;
    }
}

/// <summary>Passes another view through, counting the cursors opened and the rows moved over.</summary>
internal sealed class CountingDataView(IDataView inner) : IDataView
{
    public int CursorsOpened { get; private set; }

    public long RowsRead { get; private set; }

    public DataViewSchema Schema => inner.Schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        CursorsOpened++;
        return new Cursor(this, inner.GetRowCursor(columnsNeeded));
    }

    private sealed class Cursor(CountingDataView owner, DataViewRowCursor input) : DataViewRowCursor
    {
        public override DataViewSchema Schema => input.Schema;

        public override long Position => input.Position;

        public override bool IsColumnActive(DataViewSchema.Column column) => input.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => input.GetGetter<TValue>(column);

        public override bool MoveNext()
        {
            var moved = input.MoveNext();
            if (moved)
                owner.RowsRead++;
            return moved;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                input.Dispose();
        }
    }
}
