using System.Runtime.InteropServices;
using System.Text;
using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Updates a fixed list of parameters in place from their gradients, as PyTorch's <c>torch.optim.Optimizer</c> with
/// one parameter group. State buffers are allocated once, in the constructor, where the parameters live, and follow them
/// if they move (a network given other kernels); <see cref="Step"/> allocates nothing and runs each update on the
/// parameters' backend (their device's, or a CPU's for host tensors).
/// </summary>
/// <remarks>
/// Scalar hyperparameters (learning rate, betas, ...) are doubles, as PyTorch keeps them in Python floats; each step
/// turns them into a few float coefficients for the float kernels.
/// </remarks>
public abstract class Optimizer
{
    private const string Magic = "MNDO";
    private const int FormatVersion = 1;

    private readonly Parameter[] _parameters;
    private readonly List<(string Name, Tensor[] Buffers)> _states = [];
    private double _learningRate;

    protected Optimizer(IReadOnlyList<Parameter> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0)
            throw new ArgumentException("An optimizer needs at least one parameter; the list given is empty.", nameof(parameters));
        if (!(learningRate >= 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"The learning rate must be >= 0; got {learningRate}.");
        _parameters = [.. parameters];
        LearningRate = learningRate;
    }

    /// <summary>The name this optimizer has in <see cref="OptimizerFactory"/> ("sgd", "adam", ...).</summary>
    public abstract OptimizerKind Kind { get; }

    /// <summary>The parameters updated by <see cref="Step"/>, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// PyTorch's <c>param_groups[0]["lr"]</c>; schedulers set it between steps. Like PyTorch, only construction
    /// insists on a rate >= 0: a schedule stepped once past its end (OneCycleLR's last step) may set a negative one.
    /// </summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!double.IsFinite(value))
                throw new ArgumentOutOfRangeException(nameof(value), $"The learning rate must be a finite number; got {value}.");
            _learningRate = value;
        }
    }

    /// <summary>The number of completed <see cref="Step"/> calls (PyTorch's <c>state["step"]</c>).</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update to every parameter from its current gradient.</summary>
    public void Step()
    {
        StepCount++;
        BeginStep();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var value = _parameters[i].Value;
            var device = value.Device;
            foreach (var (_, buffers) in _states)
                if (buffers[i].Device != device)
                    buffers[i].MoveTo(device);
            Update(i, KernelsFor(value), value, _parameters[i].Grad);
        }
    }

    /// <summary>The backend that updates <paramref name="value"/>: its device's, or the shared host one.</summary>
    internal static IKernels KernelsFor(Tensor value) => value.Device?.Kernels ?? Backends.Kernels.Host;

    /// <summary>Sets every parameter's gradient to zero (PyTorch's <c>zero_grad(set_to_none=False)</c>).</summary>
    public void ZeroGrad()
    {
        for (int i = 0; i < _parameters.Length; i++)
            _parameters[i].Grad.Clear();
    }

    /// <summary>Computes this step's scalar coefficients; <see cref="StepCount"/> already counts the step.</summary>
    protected virtual void BeginStep()
    {
    }

    /// <summary>Updates parameter <paramref name="index"/>: <paramref name="value"/> in place from <paramref name="grad"/>, on <paramref name="kernels"/>.</summary>
    protected abstract void Update(int index, IKernels kernels, Tensor value, Tensor grad);

    /// <summary>Allocates one zeroed buffer per parameter, where the parameter lives, saved and loaded with the optimizer state.</summary>
    protected Tensor[] AddState(string name)
    {
        var buffers = new Tensor[_parameters.Length];
        for (int i = 0; i < buffers.Length; i++)
            buffers[i] = Tensor.Zeros(_parameters[i].Value.Device, _parameters[i].Value.Shape);
        _states.Add((name, buffers));
        return buffers;
    }

    /// <summary>Writes the scalars that are state rather than configuration (e.g. NAdam's running product).</summary>
    protected virtual void SaveScalars(BinaryWriter writer)
    {
    }

    /// <summary>Reads what <see cref="SaveScalars"/> wrote.</summary>
    protected virtual void LoadScalars(BinaryReader reader)
    {
    }

    /// <summary>
    /// Writes the step count, learning rate and every state buffer, so that <see cref="LoadState"/> on an optimizer
    /// built the same way resumes bit-identically.
    /// </summary>
    public void SaveState(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Encoding.ASCII.GetBytes(Magic));
        writer.Write(FormatVersion);
        writer.Write(OptimizerFactory.NameOf(Kind));
        writer.Write(StepCount);
        writer.Write(LearningRate);
        writer.Write(this is IMomentumOptimizer m ? m.Momentum : 0.0);
        SaveScalars(writer);
        writer.Write(_parameters.Length);
        foreach (var p in _parameters)
        {
            writer.Write(p.Name);
            writer.Write(p.Value.Length);
        }
        writer.Write(_states.Count);
        foreach (var (name, buffers) in _states)
        {
            writer.Write(name);
            foreach (var buffer in buffers)
                writer.Write(MemoryMarshal.AsBytes(buffer.ToArray().AsSpan()));
        }
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote; the optimizer must have the same kind and parameters.</summary>
    public void LoadState(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (Encoding.ASCII.GetString(reader.ReadBytes(4)) != Magic)
            throw new InvalidDataException($"This is not optimizer state (magic {Magic} expected). Pass the stream written by Optimizer.SaveState.");
        var version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"Optimizer state version {version} found; this build reads version {FormatVersion}. Retrain or use a matching build.");
        var kind = reader.ReadString();
        if (kind != OptimizerFactory.NameOf(Kind))
            throw new InvalidDataException($"The saved state is for optimizer '{kind}', but this optimizer is '{OptimizerFactory.NameOf(Kind)}'. Build the same optimizer before loading.");
        var stepCount = reader.ReadInt64();
        var learningRate = reader.ReadDouble();
        var momentum = reader.ReadDouble();
        LoadScalars(reader);
        var count = reader.ReadInt32();
        if (count != _parameters.Length)
            throw new InvalidDataException($"The saved state has {count} parameters; this optimizer has {_parameters.Length}. Build the same model before loading.");
        foreach (var p in _parameters)
        {
            var name = reader.ReadString();
            var length = reader.ReadInt32();
            if (name != p.Name || length != p.Value.Length)
                throw new InvalidDataException($"The saved state has parameter '{name}' of {length} values where this optimizer has '{p.Name}' of {p.Value.Length}. Build the same model before loading.");
        }
        var stateCount = reader.ReadInt32();
        if (stateCount != _states.Count)
            throw new InvalidDataException($"The saved state has {stateCount} buffers per parameter; this optimizer keeps {_states.Count}. Build it with the same options (e.g. AMSGrad, momentum) before loading.");
        foreach (var (name, buffers) in _states)
        {
            var savedName = reader.ReadString();
            if (savedName != name)
                throw new InvalidDataException($"The saved state has buffer '{savedName}' where '{name}' was expected. Build the optimizer with the same options before loading.");
            foreach (var buffer in buffers)
            {
                var values = new float[buffer.Length];
                var bytes = MemoryMarshal.AsBytes(values.AsSpan());
                for (int read = 0, n; read < bytes.Length; read += n)
                    if ((n = reader.Read(bytes[read..])) == 0)
                        throw new EndOfStreamException($"The optimizer state ends inside buffer '{name}'; the stream is truncated.");
                buffer.CopyFrom(values);
            }
        }
        StepCount = stepCount;
        LearningRate = learningRate;
        if (this is IMomentumOptimizer withMomentum)
            withMomentum.Momentum = momentum;
        OnStateLoaded();
    }

    /// <summary>Called after <see cref="LoadState"/> has restored the buffers.</summary>
    protected virtual void OnStateLoaded()
    {
    }
}
