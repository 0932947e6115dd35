using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

public class EnumerableRoundTripTests
{
    public sealed class ScalarRow
    {
        public float Single;
        public double Double;
        public byte Byte;
        public int Int32;
        public uint UInt32;
        public long Int64;
        public bool Flag;
        public string Text { get; set; } = "";
    }

    public sealed class DigitRow
    {
        [KeyType(10)]
        public uint Label { get; set; }

        [VectorType(2, 3)]
        [ColumnName("Image")]
        public float[] Pixels { get; set; } = [];

        [VectorType(2)]
        public string[] Tags { get; set; } = [];

        [NoColumn]
        public int Ignored { get; set; } = 42;
    }

    private static readonly DigitsContext Context = new(seed: 1);

    [Fact]
    public void LoadFromEnumerable_MapsEveryScalarTypeToItsColumnType()
    {
        var data = Context.Data.LoadFromEnumerable(new List<ScalarRow>());

        Assert.Equal(
            ["Single: Single", "Double: Double", "Byte: Byte", "Int32: Int32", "UInt32: UInt32", "Int64: Int64", "Flag: Boolean", "Text: String"],
            data.Schema.Select(c => $"{c.Name}: {c.Type}"));
    }

    [Fact]
    public void LoadFromEnumerable_ThenCreateEnumerable_RoundTripsScalars()
    {
        var rows = new List<ScalarRow>
        {
            new() { Single = 1.5f, Double = -2.25, Byte = 255, Int32 = -7, UInt32 = 4000000000, Int64 = long.MinValue, Flag = true, Text = "seven" },
            new() { Single = float.NaN, Double = 1e300, Byte = 0, Int32 = int.MaxValue, UInt32 = 0, Int64 = 5, Flag = false, Text = "" },
        };

        var back = Context.Data.CreateEnumerable<ScalarRow>(Context.Data.LoadFromEnumerable(rows)).ToList();

        Assert.Equal(2, back.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].Single, back[i].Single);
            Assert.Equal(rows[i].Double, back[i].Double);
            Assert.Equal(rows[i].Byte, back[i].Byte);
            Assert.Equal(rows[i].Int32, back[i].Int32);
            Assert.Equal(rows[i].UInt32, back[i].UInt32);
            Assert.Equal(rows[i].Int64, back[i].Int64);
            Assert.Equal(rows[i].Flag, back[i].Flag);
            Assert.Equal(rows[i].Text, back[i].Text);
        }
    }

    [Fact]
    public void LoadFromEnumerable_MapsAttributesToVectorKeyAndRenamedColumns()
    {
        var data = Context.Data.LoadFromEnumerable(new List<DigitRow>());

        Assert.Equal(["Label", "Image", "Tags"], data.Schema.Select(c => c.Name));
        Assert.Equal(new KeyDataViewType(10), data.Schema["Label"].Type);
        var image = Assert.IsType<VectorDataViewType>(data.Schema["Image"].Type);
        Assert.Equal([2, 3], image.Dimensions.ToArray());
        Assert.Equal(NumberDataViewType.Single, image.ItemType);
        Assert.Equal(new VectorDataViewType(TextDataViewType.Instance, 2), data.Schema["Tags"].Type);
    }

    [Fact]
    public void LoadFromEnumerable_ThenCreateEnumerable_RoundTripsVectorsKeysAndStrings()
    {
        var rows = Enumerable.Range(0, 5).Select(i => new DigitRow
        {
            Label = (uint)(i + 1),
            Pixels = [.. Enumerable.Range(0, 6).Select(j => i * 10f + j)],
            Tags = [$"a{i}", $"b{i}"],
        }).ToList();

        var back = Context.Data.CreateEnumerable<DigitRow>(Context.Data.LoadFromEnumerable(rows)).ToList();

        Assert.Equal(rows.Select(r => r.Label), back.Select(r => r.Label));
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].Pixels, back[i].Pixels);
            Assert.Equal(rows[i].Tags, back[i].Tags);
            Assert.NotSame(rows[i].Pixels, back[i].Pixels);
        }
    }

    [Fact]
    public void LoadFromEnumerable_IsLazyAndReenumeratesForEveryCursor()
    {
        int enumerations = 0;
        IEnumerable<ScalarRow> Rows()
        {
            enumerations++;
            for (int i = 0; i < 3; i++)
                yield return new ScalarRow { Int32 = i };
        }

        var data = Context.Data.LoadFromEnumerable(Rows());
        Assert.Equal(0, enumerations);
        Assert.Null(data.GetRowCount());

        Assert.Equal([0, 1, 2], DataViewTestData.ReadInts(data, "Int32"));
        Assert.Equal([0, 1, 2], DataViewTestData.ReadInts(data, "Int32"));
        Assert.Equal(2, enumerations);
    }

    [Fact]
    public void LoadFromEnumerable_KnowsTheRowCountOfACollection()
    {
        var data = Context.Data.LoadFromEnumerable(new List<ScalarRow> { new(), new(), new() });

        Assert.Equal(3, data.GetRowCount());
    }

    [Fact]
    public void LoadFromEnumerable_ReadsTheCurrentMemberValuesWhenCursorsMove()
    {
        var rows = new List<ScalarRow> { new() { Int32 = 1 } };
        var data = Context.Data.LoadFromEnumerable(rows);

        rows[0].Int32 = 2;

        Assert.Equal([2], DataViewTestData.ReadInts(data, "Int32"));
    }

    [Fact]
    public void LoadFromEnumerable_ReadsNullTextAsEmpty()
    {
        var data = Context.Data.LoadFromEnumerable(new List<ScalarRow> { new() { Text = null! } });

        Assert.Equal("", Context.Data.CreateEnumerable<ScalarRow>(data).Single().Text);
    }

    [Fact]
    public void CreateEnumerable_WithReuseRowObject_FillsOneObjectAndItsArray()
    {
        var rows = Enumerable.Range(0, 3).Select(i => new DigitRow { Label = 1, Pixels = new float[6], Tags = ["x", "y"] }).ToList();
        rows[2].Pixels[5] = 9;

        var seen = new List<(DigitRow Row, float[] Pixels, float Last)>();
        foreach (var row in Context.Data.CreateEnumerable<DigitRow>(Context.Data.LoadFromEnumerable(rows), reuseRowObject: true))
            seen.Add((row, row.Pixels, row.Pixels[5]));

        Assert.All(seen, s => Assert.Same(seen[0].Row, s.Row));
        Assert.All(seen, s => Assert.Same(seen[0].Pixels, s.Pixels));
        Assert.Equal([0f, 0f, 9f], seen.Select(s => s.Last));
    }

    [Fact]
    public void CreateEnumerable_ReadsAKeyColumnIntoAPlainUIntMember()
    {
        var data = Context.Data.LoadFromEnumerable(new List<DigitRow> { new() { Label = 7, Pixels = new float[6], Tags = ["", ""] } });

        var back = Context.Data.CreateEnumerable<PlainLabel>(data).Single();

        Assert.Equal(7u, back.Label);
    }

    [Fact]
    public void CreateEnumerable_ReadsAnUnsizedArrayFromAVectorOfAnySize()
    {
        var back = Context.Data.CreateEnumerable<UnsizedImage>(DataViewTestData.Digits(2)).ToList();

        Assert.Equal([1f, 1.25f, 1.5f, 1.75f], back[1].Image);
    }

    [Fact]
    public void CreateEnumerable_WithIgnoreMissingColumns_LeavesTheMemberAtItsDefault()
    {
        var back = Context.Data.CreateEnumerable<MissingColumnRow>(DataViewTestData.Digits(2), ignoreMissingColumns: true).ToList();

        Assert.Equal([0, 1], back.Select(r => r.Id));
        Assert.All(back, r => Assert.Equal(-1f, r.Score));
    }

    [Fact]
    public void CreateEnumerable_WithSchemaDefinition_ChecksTheRenamedColumnsType()
    {
        var definition = SchemaDefinition.Create(typeof(PlainLabel));
        definition[nameof(PlainLabel.Label)].ColumnName = "Id";

        var ex = Assert.Throws<ArgumentException>(() => Context.Data.CreateEnumerable<PlainLabel>(DataViewTestData.Digits(2), schemaDefinition: definition));

        Assert.Contains("'Id' is Int32", ex.Message);
    }

    [Fact]
    public void LoadFromEnumerable_WithSchemaDefinition_SizesAnUnsizedArrayAndAddsAnnotations()
    {
        var definition = SchemaDefinition.Create(typeof(UnsizedImage));
        definition["Image"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, 2);
        definition["Image"].Annotations = DataViewSchema.Annotations.Empty.WithImageShape(1, 1, 2);

        var data = Context.Data.LoadFromEnumerable([new UnsizedImage { Image = [3, 4] }], definition);

        Assert.Equal((1, 1, 2), data.Schema["Image"].Annotations.GetImageShape());
        Assert.Equal([3f, 4f], Context.Data.CreateEnumerable<UnsizedImage>(data).Single().Image);
    }

    [Fact]
    public void LoadFromEnumerable_WithSchema_KeepsItsTypesAndAnnotations()
    {
        var schema = DataViewTestData.Digits(0).Schema;
        var rows = new List<UnsizedDigit> { new() { Id = 4, Label = 7, Image = [1, 2, 3, 4] } };

        var data = Context.Data.LoadFromEnumerable(rows, schema);

        Assert.Equal(schema.Select(c => (c.Name, c.Type)), data.Schema.Select(c => (c.Name, c.Type)));
        Assert.Equal((1, 2, 2), data.Schema["Image"].Annotations.GetImageShape());
        var row = Assert.Single(DataViewTestData.ReadAll(data));
        Assert.Equal((4, 7u), (row.Id, row.Label));
        Assert.Equal([1f, 2f, 3f, 4f], row.Image);
    }

    public sealed class UnsizedDigit
    {
        public int Id { get; set; }

        public uint Label { get; set; }

        public float[] Image { get; set; } = [];
    }

    public sealed class PlainLabel
    {
        public uint Label { get; set; }
    }

    public sealed class UnsizedImage
    {
        public float[] Image { get; set; } = [];
    }

    public sealed class MissingColumnRow
    {
        public int Id { get; set; }

        public float Score { get; set; } = -1;
    }
}
