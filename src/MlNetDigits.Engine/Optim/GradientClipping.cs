using System.Numerics.Tensors;

namespace MlNetDigits.Engine.Optim;

/// <summary>Gradient-norm clipping as PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the L2 norm of all gradients together, total = sqrt(sum over parameters of ||grad||^2), and when it
    /// exceeds <paramref name="maxNorm"/> scales every gradient in place by maxNorm / (total + 1e-6). Returns total.
    /// </summary>
    public static float ClipGradNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), $"max_norm must be >= 0; got {maxNorm}.");
        // As PyTorch: the norm of each gradient, then the norm of those norms, all in float.
        float sumOfSquares = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            float norm = TensorPrimitives.Norm<float>(parameters[i].Grad.Span);
            sumOfSquares += norm * norm;
        }
        float total = MathF.Sqrt(sumOfSquares);
        float scale = maxNorm / (total + 1e-6f);
        if (scale < 1)
            for (int i = 0; i < parameters.Count; i++)
                TensorPrimitives.Multiply(parameters[i].Grad.Span, scale, parameters[i].Grad.Span);
        return total;
    }
}
