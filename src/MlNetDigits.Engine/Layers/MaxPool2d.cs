using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>2-D max pooling over square windows (stride defaults to the kernel size, as in PyTorch); the gradient goes to each window's first maximum.</summary>
public sealed class MaxPool2d : Layer
{
    private ConvGeometry _g;
    private Tensor? _input;     // x: (N, C, H, W)
    private Tensor? _output;    // y: (N, C, OH, OW)
    private IntTensor? _argmax; // (N, C, OH, OW): index into x of each maximum
    private bool _argmaxRecorded;  // false after an eval-mode forward
    private Tensor? _inputGrad; // dx: (N, C, H, W)

    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        if (KernelSize < 1 || Stride < 1 || Padding < 0 || Padding > KernelSize / 2)
            throw new ArgumentOutOfRangeException(nameof(kernelSize),
                $"MaxPool2d needs kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2; got kernel={kernelSize}, stride={Stride}, padding={padding}.");
    }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public override Tensor Forward(Tensor input)
    {
        _g = PoolGeometry.Check(this, input, KernelSize, Stride, Padding);
        _input = input;
        var output = Ensure(ref _output, _g.Batch, _g.Channels, _g.OutHeight, _g.OutWidth);
        // Inference skips recording where the maxima are; a backward pass after an eval-mode forward records them then.
        _argmaxRecorded = IsTraining;
        Kernels.MaxPool2d(input, _g, output, IsTraining ? EnsureIndices(ref _argmax, output.Length) : null);
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        if (!ComputeInputGradient)
            return NoGradient;
        var inputGrad = EnsureLike(ref _inputGrad, _input!);
        if (!_argmaxRecorded)
        {
            Kernels.MaxPool2d(_input!, _g, _output!, EnsureIndices(ref _argmax, _output!.Length));
            _argmaxRecorded = true;
        }
        Kernels.MaxPool2dBackward(outputGrad, _argmax!, _g, inputGrad);
        return inputGrad;
    }

    public override string ToString() => $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}{(Padding != 0 ? $", padding={Padding}" : "")})";
}
