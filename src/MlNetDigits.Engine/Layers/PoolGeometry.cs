using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>Shape checks shared by the pooling layers.</summary>
internal static class PoolGeometry
{
    private static string Where(Layer layer) => layer.Prefix.Length == 0 ? layer.ToString()! : $"layer {layer.Prefix.TrimEnd('.')} ({layer})";

    public static ConvGeometry Check(Layer layer, Tensor input, int kernel, int stride, int padding)
    {
        if (input.Rank != 4)
            throw new ShapeMismatchException($"{Where(layer)} expects input (N, C, H, W) but got {input.ShapeText}.");
        if (input.Shape[2] + 2 * padding < kernel || input.Shape[3] + 2 * padding < kernel)
            throw new ShapeMismatchException($"{Where(layer)} expects input (N, C, H, W) with H, W >= {kernel - 2 * padding} but got {input.ShapeText}. " +
                "The spatial size is too small for the pooling window; remove a pooling layer or use a larger image.");
        return new ConvGeometry(input.Shape[0], input.Shape[1], input.Shape[2], input.Shape[3], kernel, stride, padding);
    }
}
