using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Layers;

/// <summary>
/// A differentiable layer: <see cref="Forward"/> caches what <see cref="Backward"/> needs, and Backward accumulates
/// parameter gradients into <see cref="Parameter.Grad"/> and returns the gradient with respect to the input. Output and
/// gradient tensors are owned by the layer, allocated once per batch shape and overwritten by the next call.
/// </summary>
public abstract class Layer
{
    private readonly List<(string LocalName, Parameter Parameter)> _parameters = [];
    private readonly List<(string LocalName, Tensor Buffer, bool StaysOnHost)> _buffers = [];
    private IKernels? _kernels;

    /// <summary>Returned by <see cref="Backward"/> when <see cref="ComputeInputGradient"/> is false.</summary>
    public static readonly Tensor NoGradient = new(0);

    /// <summary>The state-dictionary prefix, e.g. "3." inside a Sequential; empty for a standalone layer.</summary>
    public string Prefix { get; private set; } = "";

    /// <summary>
    /// The kernels this layer runs on (<see cref="Kernels.Default"/> unless set). Setting them moves the parameters,
    /// their gradients and the buffers to where the backend keeps tensors (<see cref="IKernels.Device"/>): onto a GPU,
    /// or back to host memory for a CPU backend (what exporting or saving a network trained on a GPU needs).
    /// </summary>
    public virtual IKernels Kernels
    {
        get => _kernels ?? (Kernels = Backends.Kernels.Default);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _kernels = value;
            foreach (var (_, p) in _parameters)
            {
                p.Value.MoveTo(value.Device);
                p.Grad.MoveTo(value.Device);
            }
            foreach (var (_, buffer, staysOnHost) in _buffers)
                if (!staysOnHost)
                    buffer.MoveTo(value.Device);
        }
    }

    /// <summary>True in training mode (batch statistics, dropout active); false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Whether Backward computes the input gradient (the first layer of a network does not need it).</summary>
    public virtual bool ComputeInputGradient { get; set; } = true;

    /// <summary>This layer's learnable parameters, named with the prefix (PyTorch state_dict order).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => _parameterList;

    private Parameter[] _parameterList = [];

    /// <summary>Non-learnable state saved with the parameters (running statistics), keyed by full name.</summary>
    public virtual IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers()
    {
        foreach (var (name, buffer, _) in _buffers)
            yield return new(Prefix + name, buffer);
    }

    /// <summary>Computes the output for <paramref name="input"/>; the returned tensor is reused by the next call.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Given dLoss/dOutput for the last Forward, accumulates parameter gradients and returns dLoss/dInput.</summary>
    public abstract Tensor Backward(Tensor outputGrad);

    /// <summary>Switches training mode on or off (recursively for containers).</summary>
    public virtual void Train(bool training = true) => IsTraining = training;

    /// <summary>Switches to evaluation mode: running statistics, no dropout.</summary>
    public void Eval() => Train(false);

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters)
            p.Grad.Clear();
    }

    /// <summary>Parameters then buffers per layer, by full name, as PyTorch's state_dict orders them.</summary>
    public virtual IEnumerable<KeyValuePair<string, Tensor>> StateDict()
    {
        foreach (var (name, p) in _parameters)
            yield return new(Prefix + name, p.Value);
        foreach (var entry in NamedBuffers())
            yield return entry;
    }

    /// <summary>Copies values from <paramref name="state"/> into this layer's parameters and buffers; every key must be present with the right shape.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var expected = StateDict().ToList();
        var unexpected = state.Keys.Except(expected.Select(e => e.Key)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"The state dictionary has entries this network does not: {string.Join(", ", unexpected)}. " +
                $"Expected: {string.Join(", ", expected.Select(e => e.Key))}.");
        foreach (var (name, target) in expected)
        {
            if (!state.TryGetValue(name, out var source))
                throw new InvalidDataException($"The state dictionary has no entry '{name}' (shape {target.ShapeText}); it has: {string.Join(", ", state.Keys)}.");
            if (!source.HasShape(target.Shape))
                throw new InvalidDataException($"State entry '{name}' has shape {source.ShapeText}; this network expects {target.ShapeText}.");
            target.CopyFrom(source);
        }
    }

    /// <summary>Sets the state-dictionary prefix; parameters are renamed (their values are kept, gradients reset).</summary>
    public virtual void SetPrefix(string prefix)
    {
        Prefix = prefix;
        for (int i = 0; i < _parameters.Count; i++)
        {
            var (local, old) = _parameters[i];
            _parameters[i] = (local, new Parameter(prefix + local, old.Value));
        }
        _parameterList = _parameters.ConvertAll(p => p.Parameter).ToArray();
    }

    /// <summary>"layer 3 (Conv2d(24, 32, kernel_size=3))", or just the description outside a container.</summary>
    protected string Where => Prefix.Length == 0 ? $"{this}" : $"layer {Prefix.TrimEnd('.')} ({this})";

    /// <summary>Registers a parameter under <paramref name="localName"/>; returns its index.</summary>
    protected int AddParameter(string localName, Tensor value)
    {
        _parameters.Add((localName, new Parameter(Prefix + localName, value)));
        _parameterList = _parameters.ConvertAll(p => p.Parameter).ToArray();
        return _parameters.Count - 1;
    }

    /// <summary>The parameter registered at <paramref name="index"/>.</summary>
    protected Parameter ParameterAt(int index) => _parameters[index].Parameter;

    /// <summary>Registers a buffer (saved, not learned); one that <paramref name="staysOnHost"/> is only ever touched by the host (a counter).</summary>
    protected Tensor AddBuffer(string localName, Tensor value, bool staysOnHost = false)
    {
        _buffers.Add((localName, value, staysOnHost));
        return value;
    }

    /// <summary>Throws a <see cref="ShapeMismatchException"/> naming this layer, the expected and the actual shape.</summary>
    protected ShapeMismatchException ShapeError(string expected, Tensor actual, string? advice = null)
        => new($"{Where} expects input {expected} but got {actual.ShapeText}.{(advice is null ? "" : " " + advice)}");

    /// <summary>
    /// Returns <paramref name="tensor"/> if it already has the shape and lives where <see cref="Kernels"/> keeps tensors,
    /// else a new zero tensor there (buffers are sized per batch shape); a replaced buffer's device memory is freed.
    /// </summary>
    protected Tensor Ensure(ref Tensor? tensor, params ReadOnlySpan<int> shape)
    {
        var device = Kernels.Device;
        if (tensor is null || tensor.Device != device || !tensor.HasShape(shape))
        {
            tensor?.Release();
            tensor = Tensor.Zeros(device, shape.ToArray());
        }
        return tensor;
    }

    /// <summary>Returns a tensor shaped like <paramref name="like"/>, reusing <paramref name="tensor"/> when it already is (see <see cref="Ensure"/>).</summary>
    protected Tensor EnsureLike(ref Tensor? tensor, Tensor like) => Ensure(ref tensor, like.Shape);

    /// <summary>An int vector of <paramref name="length"/> where <see cref="Kernels"/> keeps tensors, reusing <paramref name="vector"/> when it already is.</summary>
    protected IntTensor EnsureIndices(ref IntTensor? vector, int length)
    {
        var device = Kernels.Device;
        if (vector is null || vector.Device != device || vector.Length != length)
        {
            vector?.Release();
            vector = IntTensor.Zeros(device, length);
        }
        return vector;
    }

    /// <summary>Checks Backward's argument against the last Forward's output shape.</summary>
    protected void CheckOutputGrad(Tensor outputGrad, Tensor? output)
    {
        if (output is null)
            throw new InvalidOperationException($"{Where}: Backward called before Forward.");
        if (!outputGrad.HasShape(output.Shape))
            throw new ShapeMismatchException($"{Where}: Backward expects an output gradient of shape {output.ShapeText} (the last output) but got {outputGrad.ShapeText}.");
    }
}
