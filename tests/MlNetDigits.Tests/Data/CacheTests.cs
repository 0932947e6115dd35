using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

public class CacheTests
{
    public sealed class TextRow
    {
        public string Name { get; set; } = "";

        [KeyType(5)]
        public uint Key { get; set; }

        [VectorType(3)]
        public double[] Values { get; set; } = [];

        public bool Flag { get; set; }
    }

    private static readonly DigitsContext Context = new(seed: 1);

    [Fact]
    public void Cache_GivesTheSameRowsAsItsSource()
    {
        var data = DataViewTestData.Digits(123);

        var cached = Context.Data.Cache(new CountingDataView(data));

        Assert.Equal(DataViewTestData.ReadAll(data), DataViewTestData.ReadAll(cached), RowComparer.Instance);
        Assert.Same(data.Schema, cached.Schema);
        Assert.Equal((1, 2, 2), cached.Schema["Image"].Annotations.GetImageShape());
    }

    [Fact]
    public void Cache_OfAViewAlreadyInMemory_ReturnsItWithoutCopying()
    {
        var data = DataViewTestData.Digits(10);
        var cached = Context.Data.Cache(Context.Data.TakeRows(data, 5));

        Assert.Same(data, Context.Data.Cache(data));
        Assert.Same(cached, Context.Data.Cache(cached));
    }

    [Fact]
    public void Cache_ReadsItsSourceOnlyOnce()
    {
        var counting = new CountingDataView(DataViewTestData.Digits(40));
        var cached = Context.Data.Cache(counting);
        Assert.Equal(0, counting.CursorsOpened);

        for (int pass = 0; pass < 3; pass++)
            Assert.Equal(40, DataViewTestData.ReadAll(cached).Count);
        _ = DataViewTestData.ReadInts(cached);

        Assert.Equal(1, counting.CursorsOpened);
        Assert.Equal(40, counting.RowsRead);
    }

    [Fact]
    public void Cache_ReadsItsSourceOnlyOnceUnderConcurrentCursors()
    {
        var counting = new CountingDataView(DataViewTestData.Digits(500));
        var cached = Context.Data.Cache(counting);

        var sums = new long[8];
        Parallel.For(0, sums.Length, i => sums[i] = DataViewTestData.ReadInts(cached).Sum(x => (long)x));

        Assert.All(sums, s => Assert.Equal(499L * 500 / 2, s));
        Assert.Equal(1, counting.CursorsOpened);
    }

    [Fact]
    public void Cache_WithColumnsToPrefetch_ReadsTheSourceAtOnce()
    {
        var counting = new CountingDataView(DataViewTestData.Digits(10));

        var cached = Context.Data.Cache(counting, "Label");

        Assert.Equal(1, counting.CursorsOpened);
        Assert.Equal(10, counting.RowsRead);
        Assert.Equal(Enumerable.Range(0, 10), DataViewTestData.ReadInts(cached));
        Assert.Equal(1, counting.CursorsOpened);
    }

    [Fact]
    public void Cache_ThrowsNamingAnUnknownColumnToPrefetch()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Context.Data.Cache(DataViewTestData.Digits(3), "Pixels"));

        Assert.Contains("'Pixels'", ex.Message);
    }

    [Fact]
    public void Cache_OfAStreamingViewOfEveryColumnType_RoundTripsAndLearnsTheRowCount()
    {
        var rows = Enumerable.Range(0, 2000).Select(i => new TextRow
        {
            Name = $"row {i}",
            Key = (uint)(i % 6),
            Values = [i, i / 2.0, -i],
            Flag = i % 3 == 0,
        });
        var data = Context.Data.LoadFromEnumerable(rows);

        var cached = Context.Data.Cache(data);
        var back = Context.Data.CreateEnumerable<TextRow>(cached).ToList();

        Assert.Null(data.GetRowCount());
        Assert.Equal(2000, cached.GetRowCount());
        Assert.Equal(new KeyDataViewType(5), cached.Schema["Key"].Type);
        Assert.Equal(rows.Select(r => r.Name), back.Select(r => r.Name));
        Assert.Equal(rows.Select(r => r.Key), back.Select(r => r.Key));
        Assert.Equal(rows.Select(r => r.Flag), back.Select(r => r.Flag));
        Assert.Equal(rows.SelectMany(r => r.Values), back.SelectMany(r => r.Values));
    }

    [Fact]
    public void Cache_CanShuffleSoShuffleRowsGivesAFullPermutation()
    {
        var context = new DigitsContext(seed: 1);
        var streaming = context.Data.LoadFromEnumerable(Enumerable.Range(0, 300).Select(i => new TextRow { Name = $"{i}", Values = [i, 0, 0] }));

        var cached = context.Data.Cache(streaming);
        var shuffled = context.Data.CreateEnumerable<TextRow>(context.Data.ShuffleRows(cached, seed: 2)).Select(r => (int)r.Values[0]).ToList();

        Assert.True(cached.CanShuffle);
        Assert.Equal(Enumerable.Range(0, 300), shuffled.Order());
        // Through a full permutation some early position holds a row from the far end, which a 1-row pool could not do.
        Assert.Contains(shuffled.Take(10), id => id >= 150);
    }

    [Fact]
    public void Cache_KeepsHiddenColumnsHiddenAndReadsTheVisibleOne()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("X", NumberDataViewType.Int32, new[] { 1, 2 })
            .AddScalar("Id", NumberDataViewType.Int32, new[] { 10, 20 })
            .AddScalar("X", NumberDataViewType.Int32, new[] { 3, 4 })
            .Build();

        var cached = Context.Data.Cache(new CountingDataView(data));

        Assert.NotSame(data, cached);
        Assert.True(cached.Schema[0].IsHidden);
        Assert.Equal([3, 4], DataViewTestData.ReadInts(cached, "X"));
        Assert.Equal(["Id", "X"], cached.Preview().ColumnView.Select(c => c.Column.Name));
    }

    private sealed class RowComparer : IEqualityComparer<(int Id, uint Label, float[] Image)>
    {
        public static RowComparer Instance { get; } = new();

        public bool Equals((int Id, uint Label, float[] Image) x, (int Id, uint Label, float[] Image) y) =>
            x.Id == y.Id && x.Label == y.Label && x.Image.SequenceEqual(y.Image);

        public int GetHashCode((int Id, uint Label, float[] Image) obj) => obj.Id;
    }
}
