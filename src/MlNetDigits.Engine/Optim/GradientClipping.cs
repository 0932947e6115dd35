namespace MlNetDigits.Engine.Optim;

/// <summary>Gradient-norm clipping as PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the L2 norm of all gradients together, total = sqrt(sum over parameters of ||grad||^2), and when it
    /// exceeds <paramref name="maxNorm"/> scales every gradient in place by maxNorm / (total + 1e-6). Returns total.
    /// The gradients stay where they live; only the per-parameter norms come to the host.
    /// </summary>
    public static float ClipGradNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), $"max_norm must be >= 0; got {maxNorm}.");
        if (parameters.Count == 0)
            return 0;
        var kernels = Optimizer.KernelsFor(parameters[0].Grad);
        Span<float> norms = parameters.Count <= 256 ? stackalloc float[parameters.Count] : new float[parameters.Count];
        kernels.GradientNorms(parameters, norms);
        // As PyTorch: the norm of each gradient, then the norm of those norms, all in float.
        float sumOfSquares = 0;
        foreach (var norm in norms)
            sumOfSquares += norm * norm;
        float total = MathF.Sqrt(sumOfSquares);
        float scale = maxNorm / (total + 1e-6f);
        if (scale < 1)
            for (int i = 0; i < parameters.Count; i++)
                kernels.Scale(parameters[i].Grad, scale);
        return total;
    }
}
