using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch's Conv2d): y[n, o] = b[o] + sum over c, i, j of w[o, c, i, j] x[n, c, s*y+i-p, s*x+j-p],
/// computed as im2col followed by one GEMM over the whole batch.
/// </summary>
public sealed class Conv2d : Layer
{
    private readonly int _weight, _bias = -1;
    private ConvGeometry _g;
    private Tensor? _input;     // x: (N, C, H, W), the last input (owned by the caller)
    private Tensor? _columns;   // (C*K*K, N*OH*OW): im2col of x in forward, reused for dColumns in backward
    private Tensor? _channelMajor; // (Out, N*OH*OW): GEMM output in forward, dY in channel-major layout in backward
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
        int n = _g.Batch, plane = _g.OutPlane, cols = n * plane;
        var columns = Ensure(ref _columns, _g.PatchSize, cols);
        var gemmOut = Ensure(ref _channelMajor, OutChannels, cols);
        var output = Ensure(ref _output, n, OutChannels, _g.OutHeight, _g.OutWidth);

        Kernels.Im2Col(input.Data, _g, columns.Data);
        // (Out, CKK) x (CKK, N*P) -> (Out, N*P)
        Kernels.Gemm(false, false, OutChannels, cols, _g.PatchSize, 1f, Weight.Value.Data, _g.PatchSize, columns.Data, cols, 0f, gemmOut.Data, cols);
        Kernels.ChannelMajorToBatch(gemmOut.Data, n, OutChannels, plane, Bias is null ? default : Bias.Value.Data, output.Data);
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        int n = _g.Batch, plane = _g.OutPlane, cols = n * plane;
        var dy = _channelMajor!;   // dY: (Out, N*P)
        var columns = _columns!;
        Kernels.BatchToChannelMajor(outputGrad.Data, n, OutChannels, plane, dy.Data);
        // dW (Out, CKK) += dY (Out, N*P) x columns^T (N*P, CKK)
        Kernels.Gemm(false, true, OutChannels, _g.PatchSize, cols, 1f, dy.Data, cols, columns.Data, cols, 1f, Weight.Grad.Data, _g.PatchSize);
        if (Bias is not null)
            Kernels.AccumulateRowSums(dy.Data, OutChannels, cols, Bias.Grad.Data);
        if (!ComputeInputGradient)
            return NoGradient;
        // dColumns (CKK, N*P) = W^T (CKK, Out) x dY (Out, N*P), written over the im2col buffer (no longer needed).
        Kernels.Gemm(true, false, _g.PatchSize, cols, OutChannels, 1f, Weight.Value.Data, _g.PatchSize, dy.Data, cols, 0f, columns.Data, cols);
        var inputGrad = EnsureLike(ref _inputGrad, _input!);
        Kernels.Col2Im(columns.Data, _g, inputGrad.Data);
        return inputGrad;
    }

    public override string ToString()
        => $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}{(Stride != 1 ? $", stride={Stride}" : "")}{(Padding != 0 ? $", padding={Padding}" : "")}{(Bias is null ? ", bias=False" : "")})";
}
