using System.Text;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;
using MlNetDigits.Transforms;
using static MlNetDigits.Tests.Transforms.TransformTestData;

namespace MlNetDigits.Tests.Transforms;

/// <summary>Every transform saves through <see cref="ModelStageRegistry"/> and loads back into a stage with identical output.</summary>
public sealed class TransformSaveLoadTests
{
    private static readonly DigitsContext Context = new(seed: 1);

    /// <summary>Data with a label, an image-like vector, a scalar and text: every transform below finds its input here.</summary>
    private static InMemoryDataView Data()
    {
        var random = new Random(7);
        var pixels = new float[6 * 4];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = random.Next(256);
        return new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, new uint[] { 3, 1, 4, 1, 5, 9 })
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 2, 2), pixels, DataViewSchema.Annotations.Empty.WithImageShape(1, 2, 2))
            .AddScalar("Weight", NumberDataViewType.Single, new[] { -1.5f, 0f, 2.25f, 8f, 8f, -3f })
            .AddScalar("Word", TextDataViewType.Instance, new[] { "one", "two", "three", "two", "one", "four" })
            .Build();
    }

    public static TheoryData<string> Stages =>
    [
        "MapValueToKey", "MapValueToKeyText", "MapKeyToValue", "Concatenate", "NormalizeMinMax", "NormalizeMinMaxNoFix",
        "NormalizeMeanVariance", "NormalizeMeanVarianceCdf", "ScalePixels", "NormalizeImage",
    ];

    private static IEstimator<ITransformer> Create(string name) => name switch
    {
        "MapValueToKey" => Context.Transforms.MapValueToKey("Key", "Label", keyOrdinality: KeyOrdinality.ByValue),
        "MapValueToKeyText" => Context.Transforms.MapValueToKey("Key", "Word", addKeyValueAnnotationsAsText: true),
        "MapKeyToValue" => Context.Transforms.MapValueToKey("Key", "Label").Append(Context.Transforms.MapKeyToValue("Back", "Key")),
        "Concatenate" => Context.Transforms.Concatenate("All", "Weight", "Image", "Weight"),
        "NormalizeMinMax" => Context.Transforms.NormalizeMinMax("Norm", "Image"),
        "NormalizeMinMaxNoFix" => Context.Transforms.NormalizeMinMax("Norm", "Weight", fixZero: false),
        "NormalizeMeanVariance" => Context.Transforms.NormalizeMeanVariance("Norm", "Image", fixZero: false),
        "NormalizeMeanVarianceCdf" => Context.Transforms.NormalizeMeanVariance("Norm", "Image", useCdf: true),
        "ScalePixels" => Context.Transforms.ScalePixels("Pixels", "Image", offset: -0.5f),
        "NormalizeImage" => Context.Transforms.NormalizeImage("Pixels", "Image"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Stages))]
    public void Transform_SavedAndLoaded_GivesIdenticalOutput(string name)
    {
        var data = Data();
        var transformer = Create(name).Fit(data);
        var loaded = SaveAndLoadTransformer(transformer, out _);

        Assert.NotSame(transformer, loaded);
        AssertSameOutput(transformer.Transform(data), loaded.Transform(data));
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public void Transform_PredictedShape_MatchesActualSchema(string name) => AssertPredictedShapeMatches(Create(name), Data());

    [Fact]
    public void NormalizingTransformer_WritesReadableSidecarWithEverySlot()
    {
        var data = Data();
        var transformer = Context.Transforms.NormalizeMinMax("Norm", "Weight", fixZero: false).Fit(data);
        SaveAndLoad(transformer, out var entries);

        var sidecar = Encoding.UTF8.GetString(entries["stage/normalizer.json"]);
        Assert.Contains("\"Formula\": \"y = (x - Offset) * Scale\"", sidecar);
        Assert.Contains("\"Offset\": -3", sidecar);
        // Binary layout: version, mode, slot count, scales, offsets, 4 bytes each.
        Assert.Equal(4 * (3 + 2), entries["stage/normalizer.bin"].Length);
    }

    [Fact]
    public void ValueToKeyMappingTransformer_WritesReadableKeyList()
    {
        var data = Data();
        SaveAndLoad(Context.Transforms.MapValueToKey("Key", "Word").Fit(data), out var entries);

        var keys = Encoding.UTF8.GetString(entries["stage/keys.json"]);
        Assert.Contains("\"ItemType\": \"String\"", keys);
        Assert.True(keys.IndexOf("\"one\"", StringComparison.Ordinal) < keys.IndexOf("\"four\"", StringComparison.Ordinal), keys);
    }

    [Fact]
    public void NormalizingTransformer_LoadRejectsSlotCountThatDoesNotMatchItsEntry()
    {
        var data = Data();
        SaveAndLoad(Context.Transforms.NormalizeMinMax("Norm", "Image").Fit(data), out var entries);
        var forged = entries["stage/normalizer.bin"].ToArray();
        BitConverter.TryWriteBytes(forged.AsSpan(8, 4), int.MaxValue);
        entries["stage/normalizer.bin"] = forged;

        var e = Assert.Throws<InvalidModelException>(() => ModelStageRegistry.LoadStage(entries, "stage"));
        Assert.Contains("slots", e.Message);
    }

    [Fact]
    public void ValueToKeyMappingTransformer_LoadRejectsRepeatedValues()
    {
        var data = Data();
        SaveAndLoad(Context.Transforms.MapValueToKey("Key", "Label").Fit(data), out var entries);
        entries["stage/keys.json"] = Encoding.UTF8.GetBytes("{ \"ItemType\": \"UInt32\", \"Count\": 2, \"Values\": [3, 3] }");

        var e = Assert.Throws<InvalidModelException>(() => ModelStageRegistry.LoadStage(entries, "stage"));
        Assert.Contains("repeated", e.Message);
    }
}
