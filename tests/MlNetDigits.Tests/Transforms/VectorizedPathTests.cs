using MlNetDigits.Data;
using MlNetDigits.Transforms;
using static MlNetDigits.Tests.Transforms.TransformTestData;

namespace MlNetDigits.Tests.Transforms;

/// <summary>
/// The vectorised per-row loops give, bit for bit, what the plain scalar formula gives, over an odd vector length that
/// leaves a remainder after every SIMD width.
/// </summary>
public sealed class VectorizedPathTests
{
    private const int Length = 6 * 512 + 7;

    private static readonly DigitsContext Context = new(seed: 1);

    private static (InMemoryDataView Data, float[] Values) RandomImages(int rows, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 300 - 20);
        var data = new InMemoryDataView.Builder()
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, Length), values, DataViewSchema.Annotations.Empty.WithImageShape(1, 1, Length))
            .Build();
        return (data, values);
    }

    [Fact]
    public void ScalePixels_MatchesScalarFormulaBitForBit()
    {
        var (data, x) = RandomImages(2, seed: 3);
        const float scale = 0.0123f, offset = -0.77f;
        var y = ReadVectors<float>(Context.Transforms.ScalePixels("P", "Image", scale, offset).Fit(data).Transform(data), "P").SelectMany(r => r).ToArray();

        for (int i = 0; i < x.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(x[i] * scale + offset), BitConverter.SingleToInt32Bits(y[i]));
    }

    [Fact]
    public void NormalizeImage_MatchesScalarFormulaBitForBit()
    {
        var (data, x) = RandomImages(2, seed: 4);
        var y = ReadVectors<float>(Context.Transforms.NormalizeImage("P", "Image").Fit(data).Transform(data), "P").SelectMany(r => r).ToArray();

        for (int i = 0; i < x.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits((x[i] / 255f - 0.1307f) / 0.3081f), BitConverter.SingleToInt32Bits(y[i]));
    }

    [Fact]
    public void AffineNormalizer_MatchesScalarFormulaBitForBit()
    {
        var (data, x) = RandomImages(3, seed: 5);
        var transformer = Context.Transforms.NormalizeMeanVariance("P", "Image", fixZero: false).Fit(data);
        var y = ReadVectors<float>(transformer.Transform(data), "P").SelectMany(r => r).ToArray();

        for (int i = 0; i < x.Length; i++)
        {
            var slot = i % Length;
            var expected = (x[i] - transformer.Offset[slot]) * transformer.Scale[slot];
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(y[i]));
        }
    }
}
