using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

public class ShuffleRowsTests
{
    public sealed class IdRow
    {
        public int Id { get; set; }

        [VectorType(2)]
        public float[] Pair { get; set; } = [];
    }

    [Fact]
    public void ShuffleRows_OfAnInMemoryView_IsAPermutationRepeatedOnEveryPass()
    {
        var data = DataViewTestData.Digits(200);
        var shuffled = new DigitsContext(seed: 1).Data.ShuffleRows(data, seed: 4);

        var first = DataViewTestData.ReadInts(shuffled);
        var second = DataViewTestData.ReadInts(shuffled);

        Assert.Equal(Enumerable.Range(0, 200), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 200), first);
        Assert.Equal(first, second);
        Assert.Equal(200, shuffled.GetRowCount());
    }

    [Fact]
    public void ShuffleRows_GivesTheSameOrderForTheSameSeedAndAnotherForAnotherSeed()
    {
        var data = DataViewTestData.Digits(100);
        var context = new DigitsContext(seed: 1);

        var a = DataViewTestData.ReadInts(context.Data.ShuffleRows(data, seed: 1));
        var b = DataViewTestData.ReadInts(context.Data.ShuffleRows(data, seed: 1));
        var c = DataViewTestData.ReadInts(context.Data.ShuffleRows(data, seed: 2));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ShuffleRows_KeepsEachRowsValuesTogether()
    {
        var shuffled = new DigitsContext(seed: 1).Data.ShuffleRows(DataViewTestData.Digits(50), seed: 9);

        Assert.All(DataViewTestData.ReadAll(shuffled), r =>
        {
            Assert.Equal((uint)(r.Id % 10), r.Label);
            Assert.Equal([r.Id, r.Id + 0.25f, r.Id + 0.5f, r.Id + 0.75f], r.Image);
        });
        Assert.Equal((1, 2, 2), shuffled.Schema["Image"].Annotations.GetImageShape());
    }

    [Theory]
    [InlineData(1000, 5)]
    [InlineData(1000, 1000)]
    [InlineData(10, 1000)]
    [InlineData(37, 1)]
    public void ShuffleRows_OfAStreamingView_IsAPermutationThroughThePool(int rows, int poolSize)
    {
        var context = new DigitsContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new IdRow { Id = i, Pair = [i, -i] }));

        var shuffled = context.Data.ShuffleRows(data, seed: 3, shufflePoolSize: poolSize);
        var back = context.Data.CreateEnumerable<IdRow>(shuffled).ToList();

        Assert.Equal(Enumerable.Range(0, rows), back.Select(r => r.Id).Order());
        Assert.All(back, r => Assert.Equal([r.Id, -r.Id], r.Pair));
        if (poolSize > 1 && rows > 1)
            Assert.NotEqual(Enumerable.Range(0, rows), back.Select(r => r.Id));
        Assert.Equal(back.Select(r => r.Id), context.Data.CreateEnumerable<IdRow>(shuffled).Select(r => r.Id));
    }

    [Fact]
    public void ShuffleRows_ThroughASmallPool_MovesRowsOnlyLocally()
    {
        var context = new DigitsContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Enumerable.Range(0, 500).Select(i => new IdRow { Id = i, Pair = [0, 0] }));

        var ids = DataViewTestData.ReadInts(context.Data.ShuffleRows(data, seed: 3, shufflePoolSize: 4));

        // A row can only come out once it has entered the pool: never before position id - (poolSize - 1).
        Assert.All(ids.Select((id, position) => (id, position)), p => Assert.True(p.id <= p.position + 3, $"row {p.id} came out at {p.position}"));
    }

    [Fact]
    public void ShuffleRows_WithoutShuffleSource_UsesThePoolOverAnInMemoryView()
    {
        var data = DataViewTestData.Digits(100);
        var context = new DigitsContext(seed: 1);

        var pooled = DataViewTestData.ReadInts(context.Data.ShuffleRows(data, seed: 3, shufflePoolSize: 2, shuffleSource: false));

        Assert.Equal(Enumerable.Range(0, 100), pooled.Order());
        Assert.All(pooled.Select((id, position) => (id, position)), p => Assert.True(p.id <= p.position + 1));
    }
}
