using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;

namespace MlNetDigits.Engine.Tests.Helpers;

/// <summary>
/// Compares a layer's backward pass with central finite differences of L = sum(y * g) for a fixed random g, the
/// loss accumulated in double precision: dL/dv ≈ (L(v + h) - L(v - h)) / (actual float step).
/// </summary>
internal static class GradientCheck
{
    public static void Check(Layer layer, Tensor input, ulong seed, double h = 1e-2, double rtol = 2e-2, double atol = 2e-3, int maxChecksPerTensor = 60)
    {
        var rng = new Rng(seed);
        layer.ComputeInputGradient = true;
        var y = layer.Forward(input);
        var g = TestData.Random(rng, y.Shape);
        layer.ZeroGrad();
        var analyticInput = layer.Backward(g).Clone();
        var analyticParams = layer.Parameters.Select(p => p.Grad.Clone()).ToList();

        CheckTensor(layer, input, input, g, analyticInput, "input", rng, h, rtol, atol, maxChecksPerTensor);
        for (int i = 0; i < layer.Parameters.Count; i++)
            CheckTensor(layer, input, layer.Parameters[i].Value, g, analyticParams[i], layer.Parameters[i].Name, rng, h, rtol, atol, maxChecksPerTensor);
    }

    private static double Loss(Layer layer, Tensor input, Tensor g)
    {
        var y = layer.Forward(input);
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
            sum += (double)y.Data[i] * g.Data[i];
        return sum;
    }

    private static void CheckTensor(Layer layer, Tensor input, Tensor target, Tensor g, Tensor analytic, string what, Rng rng, double h, double rtol, double atol, int maxChecks)
    {
        int checks = Math.Min(maxChecks, target.Length);
        for (int c = 0; c < checks; c++)
        {
            int i = target.Length <= maxChecks ? c : rng.NextInt(target.Length);
            float original = target.Data[i];
            float plus = (float)(original + h), minus = (float)(original - h);
            target.Data[i] = plus;
            double lossPlus = Loss(layer, input, g);
            target.Data[i] = minus;
            double lossMinus = Loss(layer, input, g);
            target.Data[i] = original;
            double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
            double error = Math.Abs(numeric - analytic.Data[i]);
            Assert.True(error <= atol + rtol * Math.Abs(numeric),
                $"{layer}: d/d{what}[{i}] analytic {analytic.Data[i]} vs finite difference {numeric} (error {error}).");
        }
        layer.Forward(input);
    }
}
