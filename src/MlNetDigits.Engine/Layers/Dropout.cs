
namespace MlNetDigits.Engine.Layers;

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability p and the rest scaled by 1 / (1 - p); in
/// evaluation the input passes through unchanged. The mask comes from the <see cref="Rng"/> passed in.
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Rng _rng;
    private Tensor? _mask;      // same shape as x: 0 or 1 / (1 - p)
    private Tensor? _output;    // y: same shape as x
    private Tensor? _inputGrad; // dx: same shape as x
    private bool _masked;       // whether the last forward applied the mask

    public Dropout(double p, Rng rng)
    {
        if (p < 0 || p > 1 || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1]; got {p}.");
        P = p;
        _rng = rng;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    public override Tensor Forward(Tensor input)
    {
        _masked = IsTraining && P > 0;
        if (!_masked)
        {
            _output = input;
            return input;
        }
        var mask = EnsureLike(ref _mask, input);
        var output = EnsureLike(ref _output, input);
        float keep = P >= 1 ? 0f : (float)(1.0 / (1.0 - P));
        float p = (float)P;
        // The uniforms the generator gives one element at a time (drawn in bulk), turned into the mask by the backend.
        _rng.NextFloats(mask.Data);
        Kernels.DropoutMask(mask.Data, p, keep);
        Kernels.Multiply(input.Data, mask.Data, output.Data);
        return output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _output);
        if (!ComputeInputGradient)
            return NoGradient;
        if (!_masked)
            return outputGrad;
        var inputGrad = EnsureLike(ref _inputGrad, outputGrad);
        Kernels.Multiply(outputGrad.Data, _mask!.Data, inputGrad.Data);
        return inputGrad;
    }

    public override string ToString() => $"Dropout(p={P.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}
