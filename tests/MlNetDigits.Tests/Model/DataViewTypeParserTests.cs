using MlNetDigits.Data;

namespace MlNetDigits.Tests.Model;

public sealed class DataViewTypeParserTests
{
    public static TheoryData<string> TypeNames =>
    [
        "Single", "Double", "Byte", "Int32", "UInt32", "Int64", "Boolean", "String",
        "Key<UInt32, 0-9>", "Key<UInt32, 0-0>", "Vector<Single, 28, 28>", "Vector<Single, 784>",
        "Vector<Key<UInt32, 0-2>, 3>", "Vector<String, 10>", "Vector<Int32, 3>",
    ];

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Parse_ReadsBackWhatTheTypePrints(string name)
    {
        var type = DataViewTypeParser.Parse(name);

        Assert.Equal(name, type.ToString());
        Assert.Equal(type, DataViewTypeParser.Parse(type.ToString()!));
    }

    [Fact]
    public void Parse_BuildsTheRightTypes()
    {
        Assert.Same(NumberDataViewType.Single, DataViewTypeParser.Parse("Single"));
        Assert.Equal(new KeyDataViewType(10), DataViewTypeParser.Parse("Key<UInt32, 0-9>"));
        var image = Assert.IsType<VectorDataViewType>(DataViewTypeParser.Parse(" Vector< Single ,28,28 > "));
        Assert.Equal([28, 28], image.Dimensions.ToArray());
        Assert.Equal(784, image.Size);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Float")]
    [InlineData("Vector<Single>")]
    [InlineData("Vector<Single, 0>")]
    [InlineData("Vector<Single, 28")]
    [InlineData("Vector<Vector<Single, 2>, 2>")]
    [InlineData("Key<Int32, 0-9>")]
    [InlineData("Key<UInt32, 1-9>")]
    [InlineData("Single>")]
    [InlineData("Vector<Single, 99999999999>")]
    public void Parse_ThrowsFormatExceptionGivenAMalformedName(string name)
    {
        var e = Assert.Throws<FormatException>(() => DataViewTypeParser.Parse(name));

        Assert.Contains($"'{name}'", e.Message);
        Assert.False(DataViewTypeParser.TryParse(name, out _));
    }
}
