namespace MlNetDigits.Engine;

/// <summary>PyTorch's default parameter initialisers.</summary>
public static class Init
{
    /// <summary>
    /// kaiming_uniform_(w, a = sqrt(5)) as PyTorch's Conv2d and Linear use: U(-b, b) with b = gain * sqrt(3 / fan_in),
    /// gain = sqrt(2 / (1 + a^2)), which simplifies to b = 1 / sqrt(fan_in).
    /// </summary>
    public static void KaimingUniform(Tensor weight, int fanIn, Rng rng, double a = 2.2360679774997896964)
    {
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        float bound = (float)(gain * Math.Sqrt(3.0 / fanIn));
        Uniform(weight, -bound, bound, rng);
    }

    /// <summary>PyTorch's default bias: U(-1 / sqrt(fan_in), 1 / sqrt(fan_in)).</summary>
    public static void FanInUniform(Tensor bias, int fanIn, Rng rng)
    {
        float bound = fanIn > 0 ? (float)(1.0 / Math.Sqrt(fanIn)) : 0f;
        Uniform(bias, -bound, bound, rng);
    }

    /// <summary>Fills with U(low, high).</summary>
    public static void Uniform(Tensor tensor, float low, float high, Rng rng)
    {
        var data = tensor.Data;
        for (int i = 0; i < data.Length; i++)
            data[i] = rng.NextUniform(low, high);
    }
}
