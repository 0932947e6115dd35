using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>A fully connected layer (PyTorch's Linear): y = x W^T + b.</summary>
public sealed class Dense : Layer
{
    private readonly int _weight, _bias = -1;
    private Tensor? _input;     // x: (N, In)
    private Tensor? _output;    // y: (N, Out)
    private Tensor? _inputGrad; // dx: (N, In)

    /// <summary>Creates the layer with PyTorch's default initialisation drawn from <paramref name="rng"/> (weight first, then bias).</summary>
    public Dense(int inFeatures, int outFeatures, Rng rng, bool bias = true, IKernels? kernels = null)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Dense needs positive sizes; got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        if (kernels is not null)
            Kernels = kernels;
        var w = new Tensor(outFeatures, inFeatures); // w: (Out, In)
        Init.KaimingUniform(w, inFeatures, rng);
        _weight = AddParameter("weight", w);
        if (bias)
        {
            var b = new Tensor(outFeatures); // b: (Out)
            Init.FanInUniform(b, inFeatures, rng);
            _bias = AddParameter("bias", b);
        }
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    /// <summary>w: (Out, In).</summary>
    public Parameter Weight => ParameterAt(_weight);

    /// <summary>b: (Out), or null when created without bias.</summary>
    public Parameter? Bias => _bias < 0 ? null : ParameterAt(_bias);

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 2 || input.Shape[1] != InFeatures)
            throw ShapeError($"(N, {InFeatures})", input,
                input.Rank > 2 ? "Add a Flatten layer before it." : $"The previous layer produces {input.Length / Math.Max(1, input.Shape[0])} features per sample.");
        _input = input;
        int n = input.Shape[0];
        var output = Ensure(ref _output, n, OutFeatures);
        // (N, In) x (In, Out) -> (N, Out)
        Kernels.Gemm(false, true, n, OutFeatures, InFeatures, 1f, input, InFeatures, Weight.Value, InFeatures, 0f, output, OutFeatures);
        if (Bias is not null)
            Kernels.AddRowVector(output, n, OutFeatures, Bias.Value);
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        var x = _input!;
        int n = x.Shape[0];
        // dW (Out, In) += dY^T (Out, N) x (N, In)
        Kernels.Gemm(true, false, OutFeatures, InFeatures, n, 1f, outputGrad, OutFeatures, x, InFeatures, 1f, Weight.Grad, InFeatures);
        if (Bias is not null)
            Kernels.AccumulateColumnSums(outputGrad, n, OutFeatures, Bias.Grad);
        if (!ComputeInputGradient)
            return NoGradient;
        var inputGrad = EnsureLike(ref _inputGrad, x);
        // dX (N, In) = dY (N, Out) x W (Out, In)
        Kernels.Gemm(false, false, n, InFeatures, OutFeatures, 1f, outputGrad, OutFeatures, Weight.Value, InFeatures, 0f, inputGrad, InFeatures);
        return inputGrad;
    }

    public override string ToString() => $"Dense(in_features={InFeatures}, out_features={OutFeatures}{(Bias is null ? ", bias=False" : "")})";
}
