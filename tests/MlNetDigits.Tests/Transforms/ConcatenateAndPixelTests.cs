using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Transforms;
using static MlNetDigits.Tests.Transforms.TransformTestData;

namespace MlNetDigits.Tests.Transforms;

/// <summary>Concatenate, ScalePixels and NormalizeImage.</summary>
public sealed class ConcatenateAndPixelTests
{
    private static readonly DigitsContext Context = new(seed: 1);

    private static InMemoryDataView Mixed()
    {
        var slotNames = new VBuffer<string>(2, ["left", "right"]);
        return new InMemoryDataView.Builder()
            .AddScalar("A", NumberDataViewType.Single, new[] { 1f, 2f })
            .AddVector("V", new VectorDataViewType(NumberDataViewType.Single, 2), new[] { 10f, 11f, 20f, 21f },
                DataViewSchema.Annotations.Empty.With(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, 2), slotNames))
            .AddVector("W", new VectorDataViewType(NumberDataViewType.Single, 2), new[] { 100f, 101f, 200f, 201f })
            .AddScalar("N", NumberDataViewType.Int32, new[] { 5, 6 })
            .Build();
    }

    [Fact]
    public void Concatenate_JoinsScalarsAndVectorsInOrder()
    {
        var data = Mixed();
        var output = Context.Transforms.Concatenate("All", "A", "V", "W", "A").Fit(data).Transform(data);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 6), output.Schema["All"].Type);
        Assert.Equal([[1f, 10f, 11f, 100f, 101f, 1f], [2f, 20f, 21f, 200f, 201f, 2f]], ReadVectors<float>(output, "All"));
    }

    [Fact]
    public void Concatenate_NamesSlotsAsMlNetDoes()
    {
        var data = Mixed();
        var output = Context.Transforms.Concatenate("All", "A", "V", "W").Fit(data).Transform(data);

        // A scalar gives its column name, a named vector slot "column.slot", an unnamed slot "".
        Assert.Equal(["A", "V.left", "V.right", "", ""], AnnotationVector<string>(output, "All", AnnotationKinds.SlotNames));
    }

    [Fact]
    public void Concatenate_OfOneVectorCopiesItWithItsShapeAndAnnotations()
    {
        var data = Features();
        var output = Context.Transforms.Concatenate("Copy", "Features").Fit(data).Transform(data);

        Assert.Equal(data.Schema["Features"].Type, output.Schema["Copy"].Type);
        Assert.Equal((1, 1, 3), output.Schema["Copy"].Annotations.GetImageShape());
        Assert.Equal(ReadVectors<float>(data, "Features"), ReadVectors<float>(output, "Copy"));
    }

    [Fact]
    public void Concatenate_RejectsColumnsOfAnotherItemTypeNamingThem()
    {
        var data = Mixed();
        var estimator = Context.Transforms.Concatenate("All", "A", "N");

        var e = Assert.Throws<SchemaException>(() => estimator.GetOutputSchema(SchemaShape.Create(data.Schema)));
        Assert.Equal("N", e.ColumnName);
        Assert.Equal("Int32", e.Found);
        Assert.Contains("like 'A'", e.Message);
    }

    [Fact]
    public void ScalePixels_ComputesScaleTimesXPlusOffsetAndKeepsImageShape()
    {
        var image = new VectorDataViewType(NumberDataViewType.Single, 2, 2);
        var data = new InMemoryDataView.Builder()
            .AddVector("Image", image, new[] { 0f, 51f, 255f, 127.5f }, DataViewSchema.Annotations.Empty.WithImageShape(1, 2, 2))
            .Build();
        var output = Context.Transforms.ScalePixels("Pixels", "Image", scale: 2f, offset: -1f).Fit(data).Transform(data);

        Assert.Equal([-1f, 101f, 509f, 254f], ReadVectors<float>(output, "Pixels").Single());
        Assert.Equal(image, output.Schema["Pixels"].Type);
        Assert.Equal((1, 2, 2), output.Schema["Pixels"].Annotations.GetImageShape());
    }

    [Fact]
    public void ScalePixels_DefaultsMapBytesRangeToUnitInterval()
    {
        var data = new InMemoryDataView.Builder()
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 3), new[] { 0f, 255f, 51f })
            .Build();
        var pixels = ReadVectors<float>(Context.Transforms.ScalePixels("Pixels", "Image").Fit(data).Transform(data), "Pixels").Single();

        Assert.Equal(0f, pixels[0]);
        Assert.Equal(1f, pixels[1], 6);
        Assert.Equal(0.2f, pixels[2], 6);
    }

    [Fact]
    public void NormalizeImage_MatchesTorchvisionToTensorThenNormalize()
    {
        var data = new InMemoryDataView.Builder()
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 3), new[] { 0f, 255f, 128f },
                DataViewSchema.Annotations.Empty.WithImageShape(1, 1, 3))
            .Build();
        var pixels = ReadVectors<float>(Context.Transforms.NormalizeImage("Pixels", "Image").Fit(data).Transform(data), "Pixels").Single();

        // (x / 255 - 0.1307) / 0.3081, worked out by hand (Python, float64).
        Assert.Equal(-0.4242129f, pixels[0], 5);
        Assert.Equal(2.8214865f, pixels[1], 5);
        Assert.Equal(1.2050009f, pixels[2], 5);
    }

    [Fact]
    public void NormalizeImage_UsesEachChannelsOwnMeanAndStd()
    {
        // Two channels of 1x2 pixels: channel 0 = {0, 255}, channel 1 = {255, 0}.
        var data = new InMemoryDataView.Builder()
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 4), new[] { 0f, 255f, 255f, 0f },
                DataViewSchema.Annotations.Empty.WithImageShape(2, 1, 2))
            .Build();
        var pixels = ReadVectors<float>(Context.Transforms.NormalizeImage("Pixels", "Image", mean: [0.5f, 0f], std: [0.5f, 2f])
            .Fit(data).Transform(data), "Pixels").Single();

        Assert.Equal([-1f, 1f, 0.5f, 0f], pixels);
    }

    [Fact]
    public void NormalizeImage_RejectsChannelStatisticsThatDoNotMatchTheImage()
    {
        var data = Features(); // ImageShape {1, 1, 3}
        var e = Assert.Throws<SchemaException>(() => Context.Transforms.NormalizeImage("Pixels", "Features", mean: [0f, 0f], std: [1f, 1f]).Fit(data));
        Assert.Equal("Features", e.ColumnName);
        Assert.Contains("2 channels", e.Message);
    }

    [Fact]
    public void PixelTransforms_RejectNonSingleColumns()
    {
        var data = Mixed();
        Assert.Equal("N", Assert.Throws<SchemaException>(() => Context.Transforms.ScalePixels("P", "N").Fit(data)).ColumnName);
        Assert.Equal("N", Assert.Throws<SchemaException>(() => Context.Transforms.NormalizeImage("P", "N").Fit(data)).ColumnName);
    }
}
