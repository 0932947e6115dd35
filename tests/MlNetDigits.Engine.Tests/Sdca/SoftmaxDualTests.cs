using MlNetDigits.Engine.Sdca;

namespace MlNetDigits.Engine.Tests.Sdca;

public class SoftmaxDualTests
{
    public static TheoryData<double, bool, int> Cases()
    {
        var data = new TheoryData<double, bool, int>();
        foreach (var curvature in new[] { 1e-3, 0.5, 60, 2000 })
            foreach (var oneHot in new[] { false, true })
                foreach (var seed in new[] { 1, 2, 3 })
                    data.Add(curvature, oneHot, seed);
        return data;
    }

    private static (float[] Scores, double[] Previous) Problem(int seed, bool oneHot, int k = 10)
    {
        var random = new Random(seed);
        var scores = new float[k];
        var previous = new double[k];
        for (int c = 0; c < k; c++)
        {
            scores[c] = (float)(random.NextDouble() * 12 - 6);
            previous[c] = oneHot ? 0 : random.NextDouble() < 0.3 ? 0 : random.NextDouble();
        }
        if (oneHot)
            previous[seed % k] = 1;
        double sum = previous.Sum();
        if (sum == 0)
            previous[0] = sum = 1;
        for (int c = 0; c < k; c++)
            previous[c] /= sum;
        return (scores, previous);
    }

    /// <summary>H(q) + (q - q_old) . s - curvature / 2 |q - q_old|^2: what the step maximises over the simplex.</summary>
    private static double Objective(double[] q, float[] scores, double[] previous, double curvature)
    {
        double value = 0;
        for (int c = 0; c < q.Length; c++)
        {
            if (q[c] > 0)
                value -= q[c] * Math.Log(q[c]);
            value += (q[c] - previous[c]) * scores[c] - curvature / 2 * (q[c] - previous[c]) * (q[c] - previous[c]);
        }
        return value;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Solve_ReturnsAProbabilityVectorMeetingTheStationarityConditions(double curvature, bool oneHot, int seed)
    {
        var (scores, previous) = Problem(seed, oneHot);
        var q = new double[10];
        SoftmaxDual.Solve(scores, previous, curvature, q, new double[10]);

        Assert.Equal(1.0, q.Sum(), 12);
        Assert.All(q, p => Assert.True(p > 0, $"q = {p}"));
        // ln q_c + curvature q_c - s_c - curvature q_old,c is the same multiplier mu for every class.
        var mu = Enumerable.Range(0, 10).Select(c => Math.Log(q[c]) + curvature * q[c] - scores[c] - curvature * previous[c]).ToArray();
        Assert.True(mu.Max() - mu.Min() <= 1e-7 * Math.Max(1, Math.Abs(mu[0])), $"multipliers spread over {mu.Max() - mu.Min():G3}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Solve_IsNotBeatenByAnyNearbyProbabilityVector(double curvature, bool oneHot, int seed)
    {
        var (scores, previous) = Problem(seed, oneHot);
        var q = new double[10];
        SoftmaxDual.Solve(scores, previous, curvature, q, new double[10]);
        double best = Objective(q, scores, previous, curvature);

        var random = new Random(seed + 100);
        for (int trial = 0; trial < 200; trial++)
        {
            // Move mass between two classes, staying in the simplex.
            int from = random.Next(10), to = random.Next(10);
            double amount = q[from] * random.NextDouble() * 1e-3;
            var other = (double[])q.Clone();
            other[from] -= amount;
            other[to] += amount;
            Assert.True(Objective(other, scores, previous, curvature) <= best + 1e-12, $"trial {trial} improved the objective");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void JointNewton_AgreesWithTheNestedMethod_WhenItConverges(double curvature, bool oneHot, int seed)
    {
        var (scores, previous) = Problem(seed, oneHot);
        var joint = new double[10];
        var nested = new double[10];
        bool converged = SoftmaxDual.JointNewton(scores, previous, curvature, joint, new double[10]);
        SoftmaxDual.NestedNewton(scores, previous, curvature, nested, new double[10]);

        if (converged)
            for (int c = 0; c < 10; c++)
                Assert.Equal(nested[c], joint[c], 1e-9);
        Assert.Equal(1.0, nested.Sum(), 12);
    }

    [Fact]
    public void JointNewton_Converges_NearTheOldProbabilities()
    {
        // The common case in training: the scores already nearly agree with the old probabilities.
        var previous = new[] { 0.05, 0.9, 0.05 };
        var scores = previous.Select(p => (float)Math.Log(p) + 0.01f).ToArray();
        var q = new double[3];
        Assert.True(SoftmaxDual.JointNewton(scores, previous, 60, q, new double[3]));
    }
}
