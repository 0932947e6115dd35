using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>
/// Layers applied in order; children are named by position ("0", "1", ...) so parameter names match PyTorch's
/// nn.Sequential state_dict ("0.weight", "3.running_mean"). By default the first layer skips the input gradient.
/// A batch given in host memory to a network on a device backend is copied to the device first: the one copy of a
/// training step's input.
/// </summary>
public sealed class Sequential : Layer
{
    private readonly List<Layer> _layers = [];
    private Parameter[] _parameters = [];
    private bool _computeInputGradient;
    private Tensor? _input;     // x on the backend's device, when the caller's batch is elsewhere

    public Sequential(params Layer[] layers)
    {
        foreach (var layer in layers)
            Add(layer);
    }

    /// <summary>The children in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    public Layer this[int index] => _layers[index];

    /// <summary>Appends <paramref name="layer"/>, naming it by its position.</summary>
    public Sequential Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(layer);
        layer.SetPrefix($"{Prefix}{_layers.Count - 1}.");
        if (!IsTraining)
            layer.Train(false);
        UpdateGradientFlags();
        _parameters = [.. _layers.SelectMany(l => l.Parameters)];
        return this;
    }

    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Setting the kernels sets them on every child.</summary>
    public override IKernels Kernels
    {
        get => base.Kernels;
        set
        {
            base.Kernels = value;
            foreach (var layer in _layers)
                layer.Kernels = value;
        }
    }

    /// <summary>Whether Backward returns dLoss/dInput (false by default: training does not need it).</summary>
    public override bool ComputeInputGradient
    {
        get => _computeInputGradient;
        set
        {
            _computeInputGradient = value;
            UpdateGradientFlags();
        }
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        if (input.Device != Kernels.Device)
        {
            x = EnsureLike(ref _input, input);
            x.CopyFrom(input);
        }
        foreach (var layer in _layers)
            x = layer.Forward(x);
        return x;
    }

    public override Tensor Backward(Tensor outputGrad)
    {
        var g = outputGrad;
        for (int i = _layers.Count - 1; i >= 0; i--)
            g = _layers[i].Backward(g);
        return g;
    }

    public override void Train(bool training = true)
    {
        base.Train(training);
        foreach (var layer in _layers)
            layer.Train(training);
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers() => _layers.SelectMany(l => l.NamedBuffers());

    public override IEnumerable<KeyValuePair<string, Tensor>> StateDict() => _layers.SelectMany(l => l.StateDict());

    public override void SetPrefix(string prefix)
    {
        base.SetPrefix(prefix);
        for (int i = 0; i < _layers.Count; i++)
            _layers[i].SetPrefix($"{prefix}{i}.");
        _parameters = [.. _layers.SelectMany(l => l.Parameters)];
    }

    // Layers before the first one with parameters never need an input gradient unless the caller asks for it.
    private void UpdateGradientFlags()
    {
        for (int i = 0; i < _layers.Count; i++)
            _layers[i].ComputeInputGradient = i > 0 || _computeInputGradient;
    }

    public override string ToString() => "Sequential(" + string.Join(", ", _layers) + ")";
}
