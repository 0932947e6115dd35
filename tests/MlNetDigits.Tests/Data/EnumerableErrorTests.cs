using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

public class EnumerableErrorTests
{
    public sealed class UnsizedRow
    {
        public float[] Pixels { get; set; } = [];
    }

    public sealed class SizedRow
    {
        [VectorType(3)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class DateRow
    {
        public DateTime When { get; set; }
    }

    public sealed class VectorOnScalarRow
    {
        [VectorType(3)]
        public float Value { get; set; }
    }

    public sealed class KeyOnFloatRow
    {
        [KeyType(10)]
        public float Label { get; set; }
    }

    public sealed class LabelAsFloat
    {
        public float Label { get; set; }
    }

    public sealed class ImageOfNine
    {
        [VectorType(9)]
        public float[] Image { get; set; } = [];
    }

    public sealed class ImageAsInts
    {
        public int[] Image { get; set; } = [];
    }

    public sealed class LabelAsVector
    {
        [VectorType(1)]
        public uint[] Label { get; set; } = [];
    }

    public sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    public sealed class ReadOnlyLabel
    {
        public uint Label => 3;
    }

    private static readonly DigitsContext Context = new(seed: 1);

    [Fact]
    public void LoadFromEnumerable_ThrowsNamingTheMemberGivenAnArrayWithoutVectorType()
    {
        var ex = Assert.Throws<ArgumentException>(() => Context.Data.LoadFromEnumerable(new List<UnsizedRow>()));

        Assert.Contains("UnsizedRow.Pixels", ex.Message);
        Assert.Contains("[VectorType(", ex.Message);
    }

    [Fact]
    public void LoadFromEnumerable_ThrowsNamingTheMemberGivenAnUnsupportedType()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Context.Data.LoadFromEnumerable(new List<DateRow>()));

        Assert.Contains("DateRow.When", ex.Message);
        Assert.Contains("[NoColumn]", ex.Message);
    }

    [Fact]
    public void LoadFromEnumerable_ThrowsGivenVectorTypeOnAScalar()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Context.Data.LoadFromEnumerable(new List<VectorOnScalarRow>()));

        Assert.Contains("VectorOnScalarRow.Value", ex.Message);
        Assert.Contains("array", ex.Message);
    }

    [Fact]
    public void LoadFromEnumerable_ThrowsGivenKeyTypeOnAFloat()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Context.Data.LoadFromEnumerable(new List<KeyOnFloatRow>()));

        Assert.Contains("KeyOnFloatRow.Label", ex.Message);
        Assert.Contains("uint", ex.Message);
    }

    [Fact]
    public void LoadFromEnumerable_ThrowsWhileReadingGivenAnArrayOfTheWrongLength()
    {
        var data = Context.Data.LoadFromEnumerable(new List<SizedRow> { new() { Pixels = [1, 2, 3] }, new() { Pixels = [1, 2] } });

        var ex = Assert.Throws<InvalidOperationException>(() => Context.Data.CreateEnumerable<SizedRow>(data).ToList());

        Assert.Contains("SizedRow.Pixels", ex.Message);
        Assert.Contains("2 items in row 1", ex.Message);
    }

    [Fact]
    public void CreateEnumerable_ThrowsNamingTheMissingColumnAndTheAvailableOnes()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Context.Data.CreateEnumerable<ScoreRow>(DataViewTestData.Digits(3)));

        Assert.Contains("ScoreRow.Score", ex.Message);
        Assert.Contains("'Score'", ex.Message);
        Assert.Contains("'Id', 'Label', 'Image'", ex.Message);
    }

    [Fact]
    public void CreateEnumerable_ThrowsBeforeReadingGivenAnotherScalarType()
    {
        var counting = new CountingDataView(DataViewTestData.Digits(3));

        var ex = Assert.Throws<ArgumentException>(() => Context.Data.CreateEnumerable<LabelAsFloat>(counting));

        Assert.Contains("'Label' is UInt32", ex.Message);
        Assert.Contains("LabelAsFloat.Label", ex.Message);
        Assert.Equal(0, counting.CursorsOpened);
    }

    [Fact]
    public void CreateEnumerable_ThrowsGivenAnotherVectorSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => Context.Data.CreateEnumerable<ImageOfNine>(DataViewTestData.Digits(3)));

        Assert.Contains("Vector<Single, 2, 2>", ex.Message);
        Assert.Contains("Vector<Single, 9>", ex.Message);
    }

    [Fact]
    public void CreateEnumerable_ThrowsGivenAnotherItemType()
    {
        var ex = Assert.Throws<ArgumentException>(() => Context.Data.CreateEnumerable<ImageAsInts>(DataViewTestData.Digits(3)));

        Assert.Contains("ImageAsInts.Image", ex.Message);
        Assert.Contains("Int32", ex.Message);
    }

    [Fact]
    public void CreateEnumerable_ThrowsGivenAnArrayForAScalarColumn()
    {
        var ex = Assert.Throws<ArgumentException>(() => Context.Data.CreateEnumerable<LabelAsVector>(DataViewTestData.Digits(3)));

        Assert.Contains("'Label' is UInt32", ex.Message);
    }

    [Fact]
    public void CreateEnumerable_SkipsGetOnlyProperties()
    {
        var back = Context.Data.CreateEnumerable<ReadOnlyLabel>(DataViewTestData.Digits(3)).ToList();

        Assert.All(back, r => Assert.Equal(3u, r.Label));
    }

    [Fact]
    public void CreateEnumerable_ThrowsBeforeReadingGivenADefinitionWithAReadOnlyMember()
    {
        var definition = SchemaDefinition.Create(typeof(ReadOnlyLabel), SchemaDefinition.Direction.Both);

        var ex = Assert.Throws<ArgumentException>(() => Context.Data.CreateEnumerable<ReadOnlyLabel>(DataViewTestData.Digits(3), schemaDefinition: definition));

        Assert.Contains("ReadOnlyLabel.Label", ex.Message);
        Assert.Contains("read-only", ex.Message);
    }

    [Fact]
    public void SchemaDefinition_ThrowsGivenTwoMembersForOneColumn()
    {
        var ex = Assert.Throws<ArgumentException>(() => SchemaDefinition.Create(typeof(TwoLabels)));

        Assert.Contains("column 'Label'", ex.Message);
    }

    [Fact]
    public void LoadFromEnumerable_WithSchema_ThrowsNamingAColumnWithoutMember()
    {
        var schema = DataViewSchema.Create(("Label", NumberDataViewType.UInt32), ("Digit", NumberDataViewType.Int32));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Context.Data.LoadFromEnumerable(new List<OneLabel>(), schema));

        Assert.Contains("'Digit'", ex.Message);
    }

    public sealed class TwoLabels
    {
        public uint Label { get; set; }

        [ColumnName("Label")]
        public uint Other { get; set; }
    }

    public sealed class OneLabel
    {
        public uint Label { get; set; }
    }
}
