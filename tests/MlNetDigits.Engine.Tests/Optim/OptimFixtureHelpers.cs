using MlNetDigits.Engine.Optim;
using MlNetDigits.Engine.Tests.Fixtures;

namespace MlNetDigits.Engine.Tests.Optim;

/// <summary>Reads the hyperparameters that make_optim_fixtures.py stores as "hp.*" and compares against PyTorch.</summary>
internal static class OptimFixtureHelpers
{
    /// <summary>Relative tolerance (with the same absolute floor) for values PyTorch computed in float32.</summary>
    public const double Tolerance = 1e-6;

    public static double? Hp(TorchFixture fixture, string name) =>
        fixture.Names.Contains("hp." + name) ? fixture.Scalar("hp." + name) : null;

    public static bool? HpFlag(TorchFixture fixture, string name) => Hp(fixture, name) is { } v ? v != 0 : null;

    public static OptimizerOptions OptimizerOptionsFrom(TorchFixture fixture) => new()
    {
        LearningRate = Hp(fixture, "lr"),
        WeightDecay = Hp(fixture, "weight_decay"),
        Momentum = Hp(fixture, "momentum"),
        Dampening = Hp(fixture, "dampening"),
        Nesterov = HpFlag(fixture, "nesterov"),
        Beta1 = Hp(fixture, "beta1"),
        Beta2 = Hp(fixture, "beta2"),
        Epsilon = Hp(fixture, "eps"),
        AmsGrad = HpFlag(fixture, "amsgrad"),
        MomentumDecay = Hp(fixture, "momentum_decay"),
        Rho = Hp(fixture, "rho"),
    };

    /// <summary>Asserts |actual - expected| &lt;= tolerance * max(1, |expected|) element by element.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R} (PyTorch), got {actual[i]:R}, error {error:E2}.");
        }
    }

    public static void AssertClose(double expected, double actual, string what, double tolerance = Tolerance)
    {
        double error = Math.Abs(actual - expected);
        Assert.True(error <= tolerance * Math.Max(1, Math.Abs(expected)),
            $"{what}: expected {expected:R} (PyTorch), got {actual:R}, error {error:E2}.");
    }
}
