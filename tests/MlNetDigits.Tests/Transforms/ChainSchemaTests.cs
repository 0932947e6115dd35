using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;
using MlNetDigits.Transforms;
using static MlNetDigits.Tests.Transforms.TransformTestData;

namespace MlNetDigits.Tests.Transforms;

/// <summary>
/// The chain's schema is propagated through every stage before any stage is fitted: a missing or mistyped column fails
/// first, naming the column and the stage, and the predicted output shape is the actual one.
/// </summary>
public sealed class ChainSchemaTests
{
    private static readonly DigitsContext Context = new(seed: 1);

    /// <summary>Wraps an estimator and counts the calls to <see cref="Fit"/>.</summary>
    private sealed class CountingEstimator(IEstimator<ITransformer> inner) : IEstimator<ITransformer>
    {
        public int FitCount { get; private set; }

        public ITransformer Fit(IDataView input)
        {
            FitCount++;
            return inner.Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }

    private static InMemoryDataView Digits()
    {
        var pixels = new float[4 * 4];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = i * 15;
        return new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, new uint[] { 7, 2, 7, 1 })
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 2, 2), pixels, DataViewSchema.Annotations.Empty.WithImageShape(1, 2, 2))
            .Build();
    }

    [Fact]
    public void Fit_MissingColumn_FailsBeforeAnyStageIsFitted()
    {
        var first = new CountingEstimator(Context.Transforms.MapValueToKey("Key", "Label"));
        var second = new CountingEstimator(Context.Transforms.ScalePixels("Pixels", "Image"));
        var chain = first.Append(second).Append(Context.Transforms.NormalizeMinMax("Norm", "Pixelz"));

        var e = Assert.Throws<SchemaException>(() => chain.Fit(Digits()));

        Assert.Equal(0, first.FitCount);
        Assert.Equal(0, second.FitCount);
        Assert.Equal("Pixelz", e.ColumnName);
        Assert.Equal("stage 3 (MinMaxNormalizing)", e.Stage);
        Assert.Contains("'Pixelz' not found", e.Message);
        Assert.Contains("Stage 3 (MinMaxNormalizing)", e.Message);
    }

    [Fact]
    public void Fit_MistypedColumn_FailsBeforeAnyStageIsFitted()
    {
        var first = new CountingEstimator(Context.Transforms.ScalePixels("Pixels", "Image"));
        // MapKeyToValue needs a key; "Label" is a plain UInt32.
        var chain = first.Append(Context.Transforms.MapKeyToValue("Value", "Label"));

        var e = Assert.Throws<SchemaException>(() => chain.Fit(Digits()));

        Assert.Equal(0, first.FitCount);
        Assert.Equal("Label", e.ColumnName);
        Assert.Equal("UInt32", e.Found);
        Assert.Contains("stage 2 (KeyToValueMapping)", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Fit_ColumnMadeByAnEarlierStage_IsCheckedWithItsPredictedType()
    {
        var first = new CountingEstimator(Context.Transforms.MapValueToKey("Key", "Label"));
        // The key column made by stage 1 is a key, not Single: stage 2 must refuse it before stage 1 is fitted.
        var chain = first.Append(Context.Transforms.NormalizeMeanVariance("Norm", "Key"));

        var e = Assert.Throws<SchemaException>(() => chain.Fit(Digits()));

        Assert.Equal(0, first.FitCount);
        Assert.Equal("Key", e.ColumnName);
        Assert.Contains("(key)", e.Found);
        Assert.StartsWith("stage 2", e.Stage);
    }

    [Fact]
    public void Pipeline_PredictedOutputShape_EqualsActualSchemaShape()
    {
        var data = Digits();
        var chain = Context.Transforms.MapValueToKey("Key", "Label")
            .Append(Context.Transforms.ScalePixels("Pixels", "Image"))
            .Append(Context.Transforms.NormalizeMeanVariance("Norm", "Pixels"))
            .Append(Context.Transforms.Concatenate("Features", "Norm", "Pixels"))
            .Append(Context.Transforms.MapKeyToValue("PredictedDigit", "Key"));

        var predicted = chain.GetOutputSchema(SchemaShape.Create(data.Schema));
        var model = chain.Fit(data);
        var actual = SchemaShape.Create(model.Transform(data).Schema);

        Assert.Null(predicted.FindMismatch(actual));
        Assert.True(predicted.TryFindColumn("Key", out var key) && key.IsKey && key.KeyValuesItemType == NumberDataViewType.UInt32);
        Assert.Equal([7u, 2u, 7u, 1u], Read<uint>(model.Transform(data), "PredictedDigit"));
    }

    [Fact]
    public void Pipeline_SavedStageByStage_LoadsWithIdenticalOutput()
    {
        var data = Digits();
        var model = Context.Transforms.MapValueToKey("Key", "Label")
            .Append(Context.Transforms.NormalizeImage("Pixels", "Image"))
            .Append(Context.Transforms.NormalizeMinMax("Norm", "Pixels", fixZero: false))
            .Append(Context.Transforms.MapKeyToValue("Back", "Key"))
            .Fit(data);

        var loaded = SaveAndLoadTransformer(model, out var entries);

        Assert.Contains("stage/002/normalizer.json", entries.Keys);
        Assert.Contains("stage/000/keys.json", entries.Keys);
        AssertSameOutput(model.Transform(data), loaded.Transform(data));
    }

    [Fact]
    public void FindMismatch_ReportsAWrongPrediction()
    {
        var predicted = new SchemaShape([SchemaShape.Column.Vector("Norm", NumberDataViewType.Single, [4], AnnotationKinds.IsNormalized)]);
        var actual = new SchemaShape([SchemaShape.Column.Vector("Norm", NumberDataViewType.Single, [4])]);

        Assert.Contains("annotations", predicted.FindMismatch(actual));
    }
}
