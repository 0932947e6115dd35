using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

public class RowRangeAndFilterTests
{
    private static readonly DigitsContext Context = new(seed: 1);

    [Theory]
    [InlineData(25, 10, 10)]
    [InlineData(25, 0, 0)]
    [InlineData(25, 40, 25)]
    public void TakeRows_GivesTheFirstRowsInOrder(int rows, long count, int expected)
    {
        var taken = Context.Data.TakeRows(DataViewTestData.Digits(rows), count);

        Assert.Equal(Enumerable.Range(0, expected), DataViewTestData.ReadInts(taken));
        Assert.Equal(expected, taken.GetRowCount());
    }

    [Theory]
    [InlineData(25, 10, 15)]
    [InlineData(25, 0, 25)]
    [InlineData(25, 40, 0)]
    public void SkipRows_GivesTheRowsAfterTheFirst(int rows, long count, int expected)
    {
        var rest = Context.Data.SkipRows(DataViewTestData.Digits(rows), count);

        Assert.Equal(Enumerable.Range((int)Math.Min(count, rows), expected), DataViewTestData.ReadInts(rest));
        Assert.Equal(expected, rest.GetRowCount());
    }

    [Fact]
    public void TakeRows_StopsReadingTheInputAfterTheLastRow()
    {
        var counting = new CountingDataView(DataViewTestData.Digits(1000));

        var rows = DataViewTestData.ReadAll(Context.Data.TakeRows(Context.Data.SkipRows(counting, 5), 3));

        Assert.Equal([5, 6, 7], rows.Select(r => r.Id));
        Assert.Equal(8, counting.RowsRead);
    }

    [Fact]
    public void TakeRows_ThrowsGivenANegativeCount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Context.Data.TakeRows(DataViewTestData.Digits(3), -1));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(9u)]
    public void FilterRowsByColumn_KeepsOneDigit(uint digit)
    {
        var data = DataViewTestData.Digits(100);

        var filtered = Context.Data.FilterRowsByColumn(data, "Label", digit, digit + 1);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (int)digit + 10 * i), DataViewTestData.ReadInts(filtered));
        Assert.All(DataViewTestData.ReadAll(filtered), r => Assert.Equal(r.Id + 0.5f, r.Image[2]));
        Assert.Equal((1, 2, 2), filtered.Schema["Image"].Annotations.GetImageShape());
    }

    [Fact]
    public void FilterRowsByColumn_KeepsTheLowerBoundAndDropsTheUpper()
    {
        var filtered = Context.Data.FilterRowsByColumn(DataViewTestData.Digits(30), "Id", 10, 20);

        Assert.Equal(Enumerable.Range(10, 10), DataViewTestData.ReadInts(filtered));
    }

    [Fact]
    public void FilterRowsByColumn_DropsNaNAndFiltersFloats()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("X", NumberDataViewType.Single, new[] { 0.5f, float.NaN, -1f, 2f, 0.99f })
            .AddScalar("Id", NumberDataViewType.Int32, new[] { 0, 1, 2, 3, 4 })
            .Build();

        var filtered = Context.Data.FilterRowsByColumn(data, "X", 0, 1);

        Assert.Equal([0, 4], DataViewTestData.ReadInts(filtered));
    }

    [Fact]
    public void FilterRowsByColumn_ComparesKeysByTheirRawValue()
    {
        var keys = new uint[] { 1, 2, 3, 0, 2 };
        var data = new InMemoryDataView.Builder()
            .AddScalar("Key", new KeyDataViewType(3), keys)
            .AddScalar("Id", NumberDataViewType.Int32, new[] { 0, 1, 2, 3, 4 })
            .Build();

        var filtered = Context.Data.FilterRowsByColumn(data, "Key", 2, 3);

        Assert.Equal([1, 4], DataViewTestData.ReadInts(filtered));
    }

    [Fact]
    public void FilterRowsByColumn_ThrowsNamingAMissingColumn()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Context.Data.FilterRowsByColumn(DataViewTestData.Digits(3), "Digit", 0, 1));

        Assert.Contains("'Digit' not found", ex.Message);
    }

    [Fact]
    public void FilterRowsByColumn_ThrowsGivenAVectorColumn()
    {
        var ex = Assert.Throws<ArgumentException>(() => Context.Data.FilterRowsByColumn(DataViewTestData.Digits(3), "Image", 0, 1));

        Assert.Contains("Vector<Single, 2, 2>", ex.Message);
    }

    [Fact]
    public void FilterRowsByColumn_ThrowsGivenAnEmptyRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Context.Data.FilterRowsByColumn(DataViewTestData.Digits(3), "Id", 2, 2));
    }
}
