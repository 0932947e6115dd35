using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>2-D average pooling over square windows (stride defaults to the kernel size; padding counts as zeros, PyTorch's default).</summary>
public sealed class AvgPool2d : Layer
{
    private ConvGeometry _g;
    private Tensor? _input;     // x: (N, C, H, W)
    private Tensor? _output;    // y: (N, C, OH, OW)
    private Tensor? _inputGrad; // dx: (N, C, H, W)

    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        if (KernelSize < 1 || Stride < 1 || Padding < 0 || Padding > KernelSize / 2)
            throw new ArgumentOutOfRangeException(nameof(kernelSize),
                $"AvgPool2d needs kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2; got kernel={kernelSize}, stride={Stride}, padding={padding}.");
    }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public override Tensor Forward(Tensor input)
    {
        _g = PoolGeometry.Check(this, input, KernelSize, Stride, Padding);
        _input = input;
        var output = Ensure(ref _output, _g.Batch, _g.Channels, _g.OutHeight, _g.OutWidth);
        Kernels.AvgPool2d(input, _g, output);
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        if (!ComputeInputGradient)
            return NoGradient;
        var inputGrad = EnsureLike(ref _inputGrad, _input!);
        Kernels.AvgPool2dBackward(outputGrad, _g, inputGrad);
        return inputGrad;
    }

    public override string ToString() => $"AvgPool2d(kernel_size={KernelSize}, stride={Stride}{(Padding != 0 ? $", padding={Padding}" : "")})";
}
