using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

public class PreviewTests
{
    public sealed class NamedRow
    {
        public string Name { get; set; } = "";

        public double Weight { get; set; }
    }

    [Fact]
    public void Preview_GivesTheFirstRowsByColumnAndByRow()
    {
        var preview = DataViewTestData.Digits(30).Preview(maxRows: 4);

        Assert.Equal(["Id", "Label", "Image"], preview.ColumnView.Select(c => c.Column.Name));
        Assert.Equal(new object[] { 0, 1, 2, 3 }, preview.ColumnView[0].Values);
        Assert.Equal(new object[] { 0u, 1u, 2u, 3u }, preview.ColumnView[1].Values);
        Assert.Equal(4, preview.RowView.Length);
        var row = preview.RowView[2].Values;
        Assert.Equal(["Id", "Label", "Image"], row.Select(kv => kv.Key));
        Assert.Equal(2, row[0].Value);
        var image = Assert.IsType<VBuffer<float>>(row[2].Value);
        Assert.Equal([2f, 2.25f, 2.5f, 2.75f], image.ToArray());
    }

    [Fact]
    public void Preview_OfFewerRowsThanAsked_GivesThemAll()
    {
        var preview = DataViewTestData.Digits(3).Preview();

        Assert.Equal(3, preview.RowView.Length);
        Assert.All(preview.ColumnView, c => Assert.Equal(3, c.Values.Length));
    }

    [Fact]
    public void Preview_KeepsTheSchemaWithItsAnnotations()
    {
        var data = DataViewTestData.Digits(3);

        var preview = data.Preview();

        Assert.Same(data.Schema, preview.Schema);
        Assert.Equal((1, 2, 2), preview.ColumnView[2].Column.Annotations.GetImageShape());
    }

    [Fact]
    public void Preview_ValuesAreCopiesThatOutliveTheCursor()
    {
        var preview = DataViewTestData.Digits(5).Preview();

        var images = preview.ColumnView[2].Values.Cast<VBuffer<float>>().Select(v => v.ToArray()[0]).ToArray();

        Assert.Equal([0f, 1f, 2f, 3f, 4f], images);
    }

    [Fact]
    public void Preview_ToString_ShowsTheSchemaAndAbbreviatesLongVectors()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, new uint[] { 7 })
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 28, 28), Enumerable.Range(0, 784).Select(i => i * 0.5f).ToArray())
            .Build();

        var text = data.Preview().ToString();

        Assert.Contains("2 columns, 1 rows", text);
        Assert.Contains("Image: Vector<Single, 28, 28>", text);
        Assert.Contains("[0] Label: 7 | Image: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, ... (784 items)]", text);
        Assert.DoesNotContain("391.5", text);
    }

    [Fact]
    public void Preview_ToString_QuotesTextAndUsesInvariantNumbers()
    {
        var context = new DigitsContext(seed: 1);
        var data = context.Data.LoadFromEnumerable([new NamedRow { Name = "a b", Weight = 1.5 }]);

        var preview = data.Preview();

        Assert.Equal("Name: \"a b\" | Weight: 1.5", preview.RowView[0].ToString());
        Assert.Equal("Weight: 1.5", preview.ColumnView[1].ToString());
    }

    [Fact]
    public void Preview_ReadsOnlyTheRowsItShows()
    {
        var counting = new CountingDataView(DataViewTestData.Digits(1000));

        _ = counting.Preview(maxRows: 10);

        Assert.Equal(10, counting.RowsRead);
    }
}
