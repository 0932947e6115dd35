
namespace MlNetDigits.Engine.Layers;

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability p and the rest scaled by 1 / (1 - p); in
/// evaluation the input passes through unchanged. The mask comes from the <see cref="Rng"/> passed in: the uniforms are
/// drawn on the host, element by element as <see cref="Rng.NextFloats"/> gives them, so a seed gives the same masks on
/// every backend (a device backend receives them with one copy per batch).
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Rng _rng;
    private Tensor? _mask;      // same shape as x: 0 or 1 / (1 - p)
    private Tensor? _output;    // y: same shape as x (the layer's own buffer)
    private Tensor? _last;      // the last forward's result: _output, or the input itself when not masked
    private Tensor? _inputGrad; // dx: same shape as x
    private float[]? _uniforms; // the host-side draws for a device mask
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
            return _last = input;
        var mask = EnsureLike(ref _mask, input);
        var output = EnsureLike(ref _output, input);
        float keep = P >= 1 ? 0f : (float)(1.0 / (1.0 - P));
        float p = (float)P;
        // The uniforms the generator gives one element at a time (drawn in bulk), turned into the mask by the backend.
        if (mask.IsOnHost)
        {
            _rng.NextFloats(mask.Data);
        }
        else
        {
            if (_uniforms is null || _uniforms.Length != mask.Length)
                _uniforms = new float[mask.Length];
            _rng.NextFloats(_uniforms);
            mask.CopyFrom(_uniforms);
        }
        Kernels.DropoutMask(mask, p, keep);
        Kernels.Multiply(input, mask, output);
        return _last = output;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        CheckOutputGrad(outputGrad, _last);
        if (!ComputeInputGradient)
            return NoGradient;
        if (!_masked)
            return outputGrad;
        var inputGrad = EnsureLike(ref _inputGrad, outputGrad);
        Kernels.Multiply(outputGrad, _mask!, inputGrad);
        return inputGrad;
    }

    public override string ToString() => $"Dropout(p={P.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}
