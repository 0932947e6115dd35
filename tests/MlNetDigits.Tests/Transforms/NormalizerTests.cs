using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Transforms;
using static MlNetDigits.Tests.Transforms.TransformTestData;

namespace MlNetDigits.Tests.Transforms;

/// <summary>
/// The normalisers against values worked out by hand on <see cref="TransformTestData.Features"/>:
/// slot 0 = {-2, 1, 4, 3} (min -2, max 4, mean 1.5, population variance 21/4 = 5.25, mean of squares 30/4 = 7.5),
/// slot 1 = {5, 5, 5, 5} (constant), slot 2 = {0, -8, 2, 4} (min -8, max 4, mean -0.5, variance 83/4 = 20.75, mean of squares 21).
/// </summary>
public sealed class NormalizerTests
{
    private const float Tolerance = 1e-6f;

    private static readonly DigitsContext Context = new(seed: 1);

    private static void AssertSlots(IReadOnlyList<float[]> rows, int slot, params double[] expected)
    {
        Assert.Equal(expected.Length, rows.Count);
        for (int r = 0; r < expected.Length; r++)
            Assert.True(Math.Abs(rows[r][slot] - expected[r]) <= Tolerance * Math.Max(1, Math.Abs(expected[r])),
                $"Row {r}, slot {slot}: expected {expected[r]}, got {rows[r][slot]}.");
    }

    [Fact]
    public void NormalizeMinMax_FixZero_DividesByLargestMagnitude()
    {
        var data = Features();
        var rows = ReadVectors<float>(Context.Transforms.NormalizeMinMax("Norm", "Features").Fit(data).Transform(data), "Norm");

        AssertSlots(rows, 0, -2 / 4.0, 1 / 4.0, 4 / 4.0, 3 / 4.0);
        AssertSlots(rows, 1, 0, 0, 0, 0);
        AssertSlots(rows, 2, 0, -8 / 8.0, 2 / 8.0, 4 / 8.0);
    }

    [Fact]
    public void NormalizeMinMax_WithoutFixZero_MapsMinToZeroAndMaxToOne()
    {
        var data = Features();
        var transformer = Context.Transforms.NormalizeMinMax("Norm", "Features", fixZero: false).Fit(data);
        var rows = ReadVectors<float>(transformer.Transform(data), "Norm");

        AssertSlots(rows, 0, 0, 3 / 6.0, 6 / 6.0, 5 / 6.0);
        AssertSlots(rows, 1, 0, 0, 0, 0);
        AssertSlots(rows, 2, 8 / 12.0, 0, 10 / 12.0, 12 / 12.0);
        Assert.Equal([-2f, 0f, -8f], transformer.Offset);
        Assert.Equal(0f, transformer.Scale[1]);
    }

    [Fact]
    public void NormalizeMeanVariance_WithoutFixZero_SubtractsMeanAndDividesByPopulationStdDev()
    {
        var data = Features();
        var transformer = Context.Transforms.NormalizeMeanVariance("Norm", "Features", fixZero: false).Fit(data);
        var rows = ReadVectors<float>(transformer.Transform(data), "Norm");

        var sd0 = Math.Sqrt(5.25);
        var sd2 = Math.Sqrt(20.75);
        AssertSlots(rows, 0, (-2 - 1.5) / sd0, (1 - 1.5) / sd0, (4 - 1.5) / sd0, (3 - 1.5) / sd0);
        AssertSlots(rows, 1, 0, 0, 0, 0);
        AssertSlots(rows, 2, (0 + 0.5) / sd2, (-8 + 0.5) / sd2, (2 + 0.5) / sd2, (4 + 0.5) / sd2);
    }

    [Fact]
    public void NormalizeMeanVariance_UsesPopulationNotSampleVariance()
    {
        var data = Features();
        var transformer = Context.Transforms.NormalizeMeanVariance("Norm", "Features", fixZero: false).Fit(data);

        // Population: 1 / sqrt(21 / 4); the sample variance 21 / 3 would give 1 / sqrt(7).
        Assert.Equal(1 / (float)Math.Sqrt(5.25), transformer.Scale[0]);
        Assert.NotEqual(1 / (float)Math.Sqrt(7.0), transformer.Scale[0]);
        Assert.Equal(1.5f, transformer.Offset[0]);
    }

    [Fact]
    public void NormalizeMeanVariance_FixZero_DividesByRootMeanSquareAsMlNetDoes()
    {
        var data = Features();
        var transformer = Context.Transforms.NormalizeMeanVariance("Norm", "Features").Fit(data);
        var rows = ReadVectors<float>(transformer.Transform(data), "Norm");

        // ML.NET: scale = 1 / sqrt(variance + mean^2), offset 0. Slot 0: sqrt(5.25 + 2.25) = sqrt(7.5); slot 2: sqrt(20.75 + 0.25) = sqrt(21).
        var rms0 = Math.Sqrt(7.5);
        var rms2 = Math.Sqrt(21.0);
        AssertSlots(rows, 0, -2 / rms0, 1 / rms0, 4 / rms0, 3 / rms0);
        AssertSlots(rows, 1, 0, 0, 0, 0);
        AssertSlots(rows, 2, 0, -8 / rms2, 2 / rms2, 4 / rms2);
        Assert.All(transformer.Offset, o => Assert.Equal(0f, o));
    }

    [Fact]
    public void NormalizeMeanVariance_UseCdf_GivesTheNormalCdfOfTheStandardScore()
    {
        var data = Features();
        var transformer = Context.Transforms.NormalizeMeanVariance("Norm", "Weight", useCdf: true).Fit(data);
        var values = Read<float>(transformer.Transform(data), "Norm");

        // Weight {10, 20, 30, 60}: mean 30, population stddev sqrt(350); Phi(z) from an exact erf (Python math.erf).
        // ML.NET's erf approximation is accurate to about 1e-4.
        double[] expected = [0.14252470370130638, 0.29649004900871334, 0.5, 0.9455952849797271];
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(values[i] - expected[i]) < 2e-4, $"Row {i}: expected {expected[i]}, got {values[i]}.");
        Assert.Equal(NormalizerMode.Cdf, transformer.Mode);
        Assert.Equal(30f, transformer.Mean[0]);
        Assert.Equal((float)Math.Sqrt(350), transformer.StdDev[0]);
    }

    [Fact]
    public void NormalizeMeanVariance_UseCdf_MapsConstantSlotsToZero()
    {
        var data = Features();
        var rows = ReadVectors<float>(Context.Transforms.NormalizeMeanVariance("Norm", "Features", useCdf: true).Fit(data).Transform(data), "Norm");

        AssertSlots(rows, 1, 0, 0, 0, 0);
        // Slot 0, row 0: z = (-2 - 1.5) / sqrt(5.25) = -1.5275, Phi(z) = 0.063315 (exact erf).
        Assert.True(Math.Abs(rows[0][0] - 0.06331522897380859) < 2e-4, $"Got {rows[0][0]}.");
    }

    [Fact]
    public void NormalizeMinMax_NormalizesScalarColumns()
    {
        var data = Features();
        var values = Read<float>(Context.Transforms.NormalizeMinMax("Norm", "Weight").Fit(data).Transform(data), "Norm");

        // fixZero: scale 1 / max(|10|, |60|).
        const float scale = 1 / 60f;
        Assert.Equal([10 * scale, 20 * scale, 30 * scale, 60 * scale], values);
    }

    [Fact]
    public void NormalizeMinMax_IgnoresNaNWhenLearningAndKeepsItInOutput()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("X", NumberDataViewType.Single, new[] { float.NaN, -1f, 3f, 2f })
            .Build();
        var values = Read<float>(Context.Transforms.NormalizeMinMax("Norm", "X", fixZero: false).Fit(data).Transform(data), "Norm");

        Assert.True(float.IsNaN(values[0]));
        Assert.Equal([0f, 1f, 0.75f], values.Skip(1));
    }

    [Fact]
    public void NormalizeMinMax_ReadsAtMostMaximumExampleCountRows()
    {
        var data = Features();
        var transformer = Context.Transforms.NormalizeMinMax("Norm", "Weight", maximumExampleCount: 2).Fit(data);

        // Only {10, 20} are seen: scale 1 / 20.
        Assert.Equal(1 / 20f, transformer.Scale[0]);
    }

    [Fact]
    public void Normalizers_MarkOutputNormalizedAndKeepImageShape()
    {
        var data = Features();
        var output = Context.Transforms.NormalizeMeanVariance("Norm", "Features").Fit(data).Transform(data);
        var annotations = output.Schema["Norm"].Annotations;

        Assert.True(annotations.TryGetValue<bool>(AnnotationKinds.IsNormalized, out var normalized) && normalized);
        Assert.Equal((1, 1, 3), annotations.GetImageShape());
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), output.Schema["Norm"].Type);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Normalizers_RejectNonSingleColumnsBeforeReadingData(bool minMax)
    {
        var data = new InMemoryDataView.Builder()
            .AddVector("Features", new VectorDataViewType(NumberDataViewType.Double, 2), new double[4])
            .Build();
        IEstimator<ITransformer> estimator = minMax
            ? Context.Transforms.NormalizeMinMax("Norm", "Features")
            : Context.Transforms.NormalizeMeanVariance("Norm", "Features");

        var e = Assert.Throws<SchemaException>(() => estimator.GetOutputSchema(SchemaShape.Create(data.Schema)));
        Assert.Equal("Features", e.ColumnName);
        Assert.Contains("Single", e.Message);
        Assert.Contains("Vector<Double, 2>", e.Message);
    }

    [Fact]
    public void NormalizingTransformer_RejectsInputOfAnotherSize()
    {
        var data = Features();
        var transformer = Context.Transforms.NormalizeMinMax("Norm", "Features").Fit(data);
        var other = new InMemoryDataView.Builder()
            .AddVector("Features", new VectorDataViewType(NumberDataViewType.Single, 4), new float[8])
            .Build();

        var e = Assert.Throws<SchemaException>(() => transformer.Transform(other));
        Assert.Contains("a vector of 3 Single", e.Message);
    }

    [Fact]
    public void NormalizeMinMax_RejectsMaximumExampleCountOfOne() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Context.Transforms.NormalizeMinMax("Norm", "Features", maximumExampleCount: 1));
}
