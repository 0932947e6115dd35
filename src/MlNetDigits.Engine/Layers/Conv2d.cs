using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch's Conv2d): y[n, o] = b[o] + sum over c, i, j of w[o, c, i, j] x[n, c, s*y+i-p, s*x+j-p],
/// computed by the backend (on the CPU: per-image im2col and GEMM, images split across threads).
/// </summary>
public sealed class Conv2d : Layer
{
    private readonly int _weight, _bias = -1;
    private ConvGeometry _g;
    private Tensor? _input;     // x: (N, C, H, W), the last input (owned by the caller)
    private Tensor? _output;    // y: (N, Out, OH, OW)
    private Tensor? _inputGrad; // dx: (N, C, H, W)

    /// <summary>Creates the layer with PyTorch's default initialisation drawn from <paramref name="rng"/> (weight first, then bias).</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, bool bias = true, IKernels? kernels = null)
    {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize),
                $"Conv2d needs positive channels, kernel size and stride and non-negative padding; got in={inChannels}, out={outChannels}, kernel={kernelSize}, stride={stride}, padding={padding}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        if (kernels is not null)
            Kernels = kernels;
        int fanIn = inChannels * kernelSize * kernelSize;
        var w = new Tensor(outChannels, inChannels, kernelSize, kernelSize); // w: (Out, In, K, K)
        Init.KaimingUniform(w, fanIn, rng);
        _weight = AddParameter("weight", w);
        if (bias)
        {
            var b = new Tensor(outChannels); // b: (Out)
            Init.FanInUniform(b, fanIn, rng);
            _bias = AddParameter("bias", b);
        }
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    /// <summary>w: (Out, In, K, K).</summary>
    public Parameter Weight => ParameterAt(_weight);

    /// <summary>b: (Out), or null when created without bias.</summary>
    public Parameter? Bias => _bias < 0 ? null : ParameterAt(_bias);

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw ShapeError($"(N, {InChannels}, H, W)", input);
        int h = input.Shape[2], w = input.Shape[3];
        if (h + 2 * Padding < KernelSize || w + 2 * Padding < KernelSize)
            throw ShapeError($"(N, {InChannels}, H, W) with H, W >= {KernelSize - 2 * Padding}", input,
                "The spatial size is too small for the kernel; use a larger image, padding, or fewer pooling layers before this one.");
        _input = input;
        _g = new ConvGeometry(input.Shape[0], InChannels, h, w, KernelSize, Stride, Padding);
        var output = Ensure(ref _output, _g.Batch, OutChannels, _g.OutHeight, _g.OutWidth);
        Kernels.Conv2dForward(input, _g, Weight.Value, OutChannels, Bias?.Value, output);
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        var inputGrad = ComputeInputGradient ? EnsureLike(ref _inputGrad, _input!) : null;
        Kernels.Conv2dBackward(_input!, _g, Weight.Value, OutChannels, outputGrad, Weight.Grad, Bias?.Grad, inputGrad);
        return inputGrad ?? NoGradient;
    }

    public override string ToString()
        => $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}{(Stride != 1 ? $", stride={Stride}" : "")}{(Padding != 0 ? $", padding={Padding}" : "")}{(Bias is null ? ", bias=False" : "")})";
}
