using MlNetDigits.Engine.Sdca;

namespace MlNetDigits.Tests.Trainers;

/// <summary>The SIMD kernels of the SDCA solver against plain scalar loops, over odd feature counts and several strides.</summary>
public sealed class SdcaLinearKernelsTests
{
    public static TheoryData<int, int, int> Sizes => new()
    {
        { 3, 1, 1 },      // classes, features, stored values
        { 10, 785, 157 },
        { 17, 6 * 512 + 7, 999 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Scores_MatchesAScalarLoop(int classes, int features, int stored)
    {
        var (indices, values, w, bias, stride) = Make(classes, features, stored, seed: 1);
        var scores = new float[stride];
        LinearKernels.Scores(indices, values, w, bias, scores);

        for (int c = 0; c < stride; c++)
        {
            double expected = bias[c], magnitude = Math.Abs(bias[c]);
            for (int k = 0; k < indices.Length; k++)
            {
                expected += (double)values[k] * w[indices[k] * stride + c];
                magnitude += Math.Abs((double)values[k] * w[indices[k] * stride + c]);
            }
            // float accumulation: a relative error of a few ulps per term, against the sum of magnitudes
            Assert.InRange(scores[c], expected - 1e-6 * magnitude - 1e-7, expected + 1e-6 * magnitude + 1e-7);
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AddOuter_MatchesAScalarLoop(int classes, int features, int stored)
    {
        var (indices, values, w, coefficients, stride) = Make(classes, features, stored, seed: 2);
        var expected = (float[])w.Clone();
        for (int k = 0; k < indices.Length; k++)
            for (int c = 0; c < stride; c++)
                expected[indices[k] * stride + c] += values[k] * coefficients[c];

        LinearKernels.AddOuter(indices, values, coefficients, w);

        Assert.Equal(expected, w);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ScoresSoftThreshold_MatchesAScalarLoop(int classes, int features, int stored)
    {
        const float threshold = 0.3f;
        var (indices, values, v, bias, stride) = Make(classes, features, stored, seed: 3);
        var scores = new float[stride];
        LinearKernels.ScoresSoftThreshold(indices, values, v, threshold, bias, scores);

        for (int c = 0; c < stride; c++)
        {
            double expected = bias[c], magnitude = Math.Abs(bias[c]);
            for (int k = 0; k < indices.Length; k++)
            {
                double raw = v[indices[k] * stride + c];
                double w = Math.Abs(raw) > threshold ? raw - Math.Sign(raw) * threshold : 0;
                expected += values[k] * w;
                magnitude += Math.Abs(values[k] * w);
            }
            Assert.InRange(scores[c], expected - 1e-6 * magnitude - 1e-7, expected + 1e-6 * magnitude + 1e-7);
        }
    }

    private static (int[] Indices, float[] Values, float[] W, float[] Vector, int Stride) Make(int classes, int features, int stored, int seed)
    {
        var random = new Random(seed);
        int stride = LinearKernels.StrideFor(classes);
        Assert.Equal(0, stride % 8);
        Assert.True(stride >= classes);
        var indices = Enumerable.Range(0, features).OrderBy(_ => random.Next()).Take(stored).Order().ToArray();
        var values = indices.Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var w = Enumerable.Range(0, features * stride).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var vector = Enumerable.Range(0, stride).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return (indices, values, w, vector, stride);
    }
}
