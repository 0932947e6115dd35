using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Transforms;
using static MlNetDigits.Tests.Transforms.TransformTestData;

namespace MlNetDigits.Tests.Transforms;

/// <summary>MapValueToKey and MapKeyToValue: numbering, unseen and missing values, annotations, round trips.</summary>
public sealed class KeyMappingTests
{
    private static readonly DigitsContext Context = new(seed: 1);

    private static InMemoryDataView Labels(params uint[] labels) => new InMemoryDataView.Builder()
        .AddScalar("Label", NumberDataViewType.UInt32, labels)
        .Build();

    [Fact]
    public void MapValueToKey_ByOccurrence_NumbersValuesInTheOrderFirstSeen()
    {
        var data = Labels(7, 3, 7, 9, 3);
        var output = Context.Transforms.MapValueToKey("Key", "Label").Fit(data).Transform(data);

        Assert.Equal([1u, 2u, 1u, 3u, 2u], Read<uint>(output, "Key"));
        Assert.Equal(new KeyDataViewType(3), output.Schema["Key"].Type);
        Assert.Equal([7u, 3u, 9u], AnnotationVector<uint>(output, "Key", AnnotationKinds.KeyValues));
    }

    [Fact]
    public void MapValueToKey_WithOneColumnName_ReplacesTheColumnInPlace()
    {
        var data = Labels(7, 3, 7);
        var estimator = Context.Transforms.MapValueToKey("Label");
        var output = estimator.Fit(data).Transform(data);

        Assert.Equal(new KeyDataViewType(2), output.Schema["Label"].Type);
        Assert.Equal([1u, 2u, 1u], Read<uint>(output, "Label"));
        var predicted = estimator.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.Null(predicted.FindMismatch(SchemaShape.Create(output.Schema)));
    }

    [Fact]
    public void MapValueToKey_ByValue_NumbersValuesInSortedOrder()
    {
        var data = Labels(7, 3, 7, 9, 3);
        var output = Context.Transforms.MapValueToKey("Key", "Label", keyOrdinality: KeyOrdinality.ByValue).Fit(data).Transform(data);

        Assert.Equal([2u, 1u, 2u, 3u, 1u], Read<uint>(output, "Key"));
        Assert.Equal([3u, 7u, 9u], AnnotationVector<uint>(output, "Key", AnnotationKinds.KeyValues));
    }

    [Fact]
    public void MapValueToKey_ByValue_SortsTextOrdinally()
    {
        var data = new InMemoryDataView.Builder().AddScalar("Word", TextDataViewType.Instance, new[] { "b", "B", "a", "b" }).Build();
        var output = Context.Transforms.MapValueToKey("Key", "Word", keyOrdinality: KeyOrdinality.ByValue).Fit(data).Transform(data);

        Assert.Equal(["B", "a", "b"], AnnotationVector<string>(output, "Key", AnnotationKinds.KeyValues));
        Assert.Equal([3u, 1u, 2u, 3u], Read<uint>(output, "Key"));
    }

    [Fact]
    public void MapValueToKey_SortsNegativeNumbersByValue()
    {
        var data = new InMemoryDataView.Builder().AddScalar("X", NumberDataViewType.Int32, new[] { 5, -3, 0, -10 }).Build();
        var output = Context.Transforms.MapValueToKey("Key", "X", keyOrdinality: KeyOrdinality.ByValue).Fit(data).Transform(data);

        Assert.Equal([-10, -3, 0, 5], AnnotationVector<int>(output, "Key", AnnotationKinds.KeyValues));
    }

    [Fact]
    public void MapValueToKey_MapsUnseenValuesToMissingKeyZero()
    {
        var transformer = Context.Transforms.MapValueToKey("Key", "Label").Fit(Labels(1, 2, 3));

        Assert.Equal([2u, 0u, 1u, 0u], Read<uint>(transformer.Transform(Labels(2, 8, 1, 0)), "Key"));
    }

    [Fact]
    public void MapValueToKey_TreatsNaNAsMissingAndNeverLearnsIt()
    {
        var data = new InMemoryDataView.Builder().AddScalar("X", NumberDataViewType.Single, new[] { 0.5f, float.NaN, 2f, 0.5f }).Build();
        var output = Context.Transforms.MapValueToKey("Key", "X").Fit(data).Transform(data);

        Assert.Equal([1u, 0u, 2u, 1u], Read<uint>(output, "Key"));
        Assert.Equal([0.5f, 2f], AnnotationVector<float>(output, "Key", AnnotationKinds.KeyValues));
    }

    [Fact]
    public void MapValueToKey_KeepsOnlyTheFirstMaximumNumberOfKeysValues()
    {
        var data = Labels(4, 5, 6, 4);
        var output = Context.Transforms.MapValueToKey("Key", "Label", maximumNumberOfKeys: 2).Fit(data).Transform(data);

        Assert.Equal([1u, 2u, 0u, 1u], Read<uint>(output, "Key"));
        Assert.Equal(new KeyDataViewType(2), output.Schema["Key"].Type);
    }

    [Fact]
    public void MapValueToKey_AsText_WritesKeyValuesAsText()
    {
        var data = Labels(7, 3);
        var output = Context.Transforms.MapValueToKey("Key", "Label", addKeyValueAnnotationsAsText: true).Fit(data).Transform(data);

        Assert.Equal(new VectorDataViewType(TextDataViewType.Instance, 2), output.Schema["Key"].Annotations.GetTypeOrNull(AnnotationKinds.KeyValues));
        Assert.Equal(["7", "3"], AnnotationVector<string>(output, "Key", AnnotationKinds.KeyValues));
    }

    [Fact]
    public void MapValueToKey_MapsEveryItemOfAVector()
    {
        var data = new InMemoryDataView.Builder()
            .AddVector("Tags", new VectorDataViewType(TextDataViewType.Instance, 2), new[] { "x", "y", "y", "z" })
            .Build();
        var output = Context.Transforms.MapValueToKey("Keys", "Tags").Fit(data).Transform(data);

        Assert.Equal(new VectorDataViewType(new KeyDataViewType(3), 2), output.Schema["Keys"].Type);
        Assert.Equal([[1u, 2u], [2u, 3u]], ReadVectors<uint>(output, "Keys"));
    }

    [Fact]
    public void MapKeyToValue_RoundTripsValuesThroughKeys()
    {
        var data = Labels(7, 3, 7, 9, 3);
        var pipeline = Context.Transforms.MapValueToKey("Key", "Label", keyOrdinality: KeyOrdinality.ByValue)
            .Append(Context.Transforms.MapKeyToValue("Back", "Key"));
        var output = pipeline.Fit(data).Transform(data);

        Assert.Equal(NumberDataViewType.UInt32, output.Schema["Back"].Type);
        Assert.Equal(Read<uint>(data, "Label"), Read<uint>(output, "Back"));
    }

    [Fact]
    public void MapKeyToValue_RoundTripsVectorsAndGivesMissingForKeyZero()
    {
        var train = new InMemoryDataView.Builder()
            .AddVector("V", new VectorDataViewType(NumberDataViewType.Single, 2), new[] { 1.5f, -2f, -2f, 1.5f })
            .Build();
        var test = new InMemoryDataView.Builder()
            .AddVector("V", new VectorDataViewType(NumberDataViewType.Single, 2), new[] { -2f, 99f })
            .Build();
        var model = Context.Transforms.MapValueToKey("K", "V").Append(Context.Transforms.MapKeyToValue("Back", "K")).Fit(train);

        Assert.Equal([[1.5f, -2f], [-2f, 1.5f]], ReadVectors<float>(model.Transform(train), "Back"));
        var back = ReadVectors<float>(model.Transform(test), "Back").Single();
        Assert.Equal(-2f, back[0]);
        Assert.True(float.IsNaN(back[1]), "An unseen value has key 0, which maps back to NaN.");
    }

    [Fact]
    public void MapKeyToValue_FailsClearlyWhenTheKeyHasNoKeyValues()
    {
        var data = new InMemoryDataView.Builder().AddScalar("K", new KeyDataViewType(3), new uint[] { 1, 2 }).Build();
        var estimator = Context.Transforms.MapKeyToValue("V", "K");

        var e = Assert.Throws<SchemaException>(() => estimator.GetOutputSchema(SchemaShape.Create(data.Schema)));
        Assert.Equal("K", e.ColumnName);
        Assert.Contains("without a KeyValues annotation", e.Message);
        Assert.Throws<SchemaException>(() => estimator.Fit(data));
    }

    [Fact]
    public void MapKeyToValue_RejectsNonKeyColumns()
    {
        var e = Assert.Throws<SchemaException>(() => Context.Transforms.MapKeyToValue("V", "Label").Fit(Labels(1, 2)));
        Assert.Equal("Label", e.ColumnName);
        Assert.Contains("UInt32", e.Found);
    }

    [Fact]
    public void MapValueToKey_RejectsKeyInputAndMissingColumns()
    {
        var keys = new InMemoryDataView.Builder().AddScalar("K", new KeyDataViewType(3), new uint[] { 1, 2 }).Build();
        Assert.Throws<SchemaException>(() => Context.Transforms.MapValueToKey("Out", "K").Fit(keys));
        var e = Assert.Throws<SchemaException>(() => Context.Transforms.MapValueToKey("Out", "Nope").Fit(keys));
        Assert.Null(e.Found);
        Assert.Contains("'Nope' not found", e.Message);
    }

    [Fact]
    public void ValueToKeyMappingTransformer_RejectsInputOfAnotherType()
    {
        var transformer = Context.Transforms.MapValueToKey("Key", "Label").Fit(Labels(1, 2));
        var text = new InMemoryDataView.Builder().AddScalar("Label", TextDataViewType.Instance, new[] { "1" }).Build();

        var e = Assert.Throws<SchemaException>(() => transformer.Transform(text));
        Assert.Equal("String", e.Found);
    }

    [Fact]
    public void MapValueToKey_FailsWhenThereIsNothingToLearn()
    {
        var data = new InMemoryDataView.Builder().AddScalar("X", NumberDataViewType.Single, new[] { float.NaN }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => Context.Transforms.MapValueToKey("Key", "X").Fit(data));
        Assert.Contains("no values", e.Message);
    }
}
