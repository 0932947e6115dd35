using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Tests.TestStages;
using MlNetDigits.Trainers.ImageClassification;
using MlNetDigits.Transforms;

namespace MlNetDigits.Tests.Contracts;

/// <summary>One estimator to check against <see cref="EstimatorContract"/>, with data it accepts and data it must reject.</summary>
public sealed record EstimatorCase(string Name, Func<IEstimator<ITransformer>> Create, Func<IDataView> ValidData, Func<IDataView> InvalidData)
{
    public override string ToString() => Name;
}

/// <summary>
/// Every estimator of the library, in one list: add a line per estimator (a name, how to make it, valid data, invalid data)
/// and <see cref="EstimatorContractTests"/> checks it.
/// </summary>
public static class EstimatorCases
{
    // Declared before All: static initialisers run in order.
    private static readonly DigitsContext Ctx = new(seed: 1);

    public static IReadOnlyList<EstimatorCase> All { get; } =
    [
        new("Test.Scale", () => new TestScaleEstimator("Scaled", "Features"), () => Features(2, 3), WrongFeatureType),
        new("Test.ArgMax", () => new TestArgMaxEstimator("Top", "Features"), () => Features(6), MissingFeatures),
        new("Test.Scale+ArgMax chain",
            () => new TestScaleEstimator("Scaled", "Features").Append(new TestArgMaxEstimator("Top", "Scaled")),
            () => Features(2, 3), MissingFeatures),
        new("ImageClassification",
            () => new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                FeatureColumnName = "Features", Layers = ["flatten"], Epochs = 1, BatchSize = 2, ValidationFraction = 0, NumberOfThreads = 1, Seed = 1,
            }),
            () => Features(2, 3), MissingFeatures),
        new("MapValueToKey", () => Ctx.Transforms.MapValueToKey("Key", "Label"), () => Features(2, 3), MissingLabel),
        new("MapValueToKey+MapKeyToValue",
            () => Ctx.Transforms.MapValueToKey("Key", "Label").Append(Ctx.Transforms.MapKeyToValue("Back", "Key")),
            () => Features(2, 3), MissingLabel),
        new("Concatenate", () => Ctx.Transforms.Concatenate("All", "Features", "Features"), () => Features(2, 3), MissingFeatures),
        new("NormalizeMinMax", () => Ctx.Transforms.NormalizeMinMax("Features"), () => Features(2, 3), WrongFeatureType),
        new("NormalizeMinMax(fixZero: false)", () => Ctx.Transforms.NormalizeMinMax("Features", fixZero: false), () => Features(2, 3), WrongFeatureType),
        new("NormalizeMeanVariance", () => Ctx.Transforms.NormalizeMeanVariance("Features"), () => Features(2, 3), WrongFeatureType),
        new("NormalizeMeanVariance(fixZero: false)", () => Ctx.Transforms.NormalizeMeanVariance("Features", fixZero: false), () => Features(2, 3), WrongFeatureType),
        new("NormalizeMeanVariance(useCdf: true)", () => Ctx.Transforms.NormalizeMeanVariance("Features", useCdf: true), () => Features(2, 3), WrongFeatureType),
        new("ScalePixels", () => Ctx.Transforms.ScalePixels("Scaled", "Features"), () => Features(2, 3), WrongFeatureType),
        new("NormalizeImage", () => Ctx.Transforms.NormalizeImage("Normalized", "Features"), () => Features(2, 3), WrongFeatureType),
    ];


    public static IEstimator<ITransformer> Create(string name) => All.Single(c => c.Name == name).Create();

    /// <summary>Five rows of a Vector&lt;Single&gt; "Features" column of the given dimensions (values from a seeded source) and a UInt32 "Label".</summary>
    public static InMemoryDataView Features(params int[] dimensions)
    {
        var type = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        var random = new Random(42);
        var values = new float[5 * type.Size];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 20 - 10);
        return new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, new uint[] { 0, 1, 2, 1, 0 })
            .AddVector("Features", type, values, DataViewSchema.Annotations.Empty.WithImageShape(1, dimensions[0], dimensions.Length > 1 ? dimensions[1] : 1))
            .Build();
    }

    private static IDataView WrongFeatureType() => new InMemoryDataView.Builder()
        .AddVector("Features", new VectorDataViewType(NumberDataViewType.Double, 6), new double[12])
        .Build();

    private static IDataView MissingLabel() => new InMemoryDataView.Builder()
        .AddVector("Features", new VectorDataViewType(NumberDataViewType.Single, 2), new float[4])
        .Build();

    private static IDataView MissingFeatures() => new InMemoryDataView.Builder()
        .AddScalar("Label", NumberDataViewType.UInt32, new uint[] { 0, 1 })
        .Build();
}
