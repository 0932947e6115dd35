namespace MlNetDigits.Engine.Backends;

/// <summary>The sizes of one 2-D convolution or pooling over a batch: input (N, C, H, W), square kernel, stride and zero padding.</summary>
public readonly record struct ConvGeometry(int Batch, int Channels, int Height, int Width, int Kernel, int Stride, int Padding)
{
    /// <summary>Output height: floor((H + 2 padding - kernel) / stride) + 1.</summary>
    public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Output width: floor((W + 2 padding - kernel) / stride) + 1.</summary>
    public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Output pixels per channel and image.</summary>
    public int OutPlane => OutHeight * OutWidth;

    /// <summary>Rows of the im2col matrix: C * kernel * kernel.</summary>
    public int PatchSize => Channels * Kernel * Kernel;
}
