using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

/// <summary>Moving over rows must not allocate per row beyond the row objects themselves (getters are compiled once per cursor).</summary>
public class RowAllocationTests
{
    public sealed class PixelRow
    {
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] Image { get; set; } = new float[784];
    }

    private const int Rows = 5000;

    // Generous bound for the per-pass setup (cursor, getters, enumerator); far below one allocation per row.
    private const long SetupBytes = 64 * 1024;

    [Fact]
    public void LoadFromEnumerable_GettersDoNotAllocatePerRow()
    {
        var context = new DigitsContext(seed: 1);
        var rows = Enumerable.Range(0, Rows).Select(i => new PixelRow { Label = (uint)(i % 10) }).ToArray();
        var data = context.Data.LoadFromEnumerable(rows);
        ReadAll(data);

        var before = GC.GetAllocatedBytesForCurrentThread();
        ReadAll(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < SetupBytes, $"{allocated} bytes allocated reading {Rows} rows");
    }

    [Fact]
    public void CreateEnumerable_WithReuseRowObject_DoesNotAllocatePerRow()
    {
        var context = new DigitsContext(seed: 1);
        var data = context.Data.Cache(context.Data.LoadFromEnumerable(Enumerable.Range(0, Rows).Select(i => new PixelRow { Label = (uint)(i % 10) })));
        var rows = context.Data.CreateEnumerable<PixelRow>(data, reuseRowObject: true);
        Sum(rows);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = Sum(rows);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Rows / 10 * 45, sum);
        Assert.True(allocated < SetupBytes, $"{allocated} bytes allocated reading {Rows} rows");
    }

    private static long Sum(IEnumerable<PixelRow> rows)
    {
        long sum = 0;
        foreach (var row in rows)
            sum += row.Label;
        return sum;
    }

    private static void ReadAll(IDataView data)
    {
        using var cursor = data.GetRowCursor(data.Schema);
        var label = cursor.GetGetter<uint>(data.Schema["Label"]);
        var image = cursor.GetGetter<VBuffer<float>>(data.Schema["Image"]);
        uint l = 0;
        VBuffer<float> v = default;
        while (cursor.MoveNext())
        {
            label(ref l);
            image(ref v);
        }
    }
}
