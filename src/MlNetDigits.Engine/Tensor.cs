namespace MlNetDigits.Engine;

/// <summary>
/// A dense float32 tensor in row-major (NCHW for images) layout. Its storage is allocated once: a host array
/// (<see cref="Data"/>, what the CPU backends work on) or a buffer in a device backend's memory (<see cref="Device"/>,
/// e.g. a GPU's), which only that backend's kernels and the copy methods here touch.
/// </summary>
public sealed class Tensor
{
    private float[]? _host;               // host storage, or null
    private DeviceBuffer<float>? _device; // device storage, or null

    /// <summary>A zero tensor of the given shape in host memory.</summary>
    public Tensor(params int[] shape)
    {
        Shape = CheckShape(shape);
        Length = CountOf(Shape);
        _host = new float[Length];
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a host tensor of <paramref name="shape"/>.</summary>
    public Tensor(float[] data, params int[] shape)
    {
        Shape = CheckShape(shape);
        Length = CountOf(Shape);
        if (data.Length != Length)
            throw new ArgumentException($"A tensor of shape ({string.Join(", ", shape)}) needs {Length} values, got {data.Length}.", nameof(data));
        _host = data;
    }

    private Tensor(DeviceBuffer<float> buffer, int[] shape)
    {
        Shape = CheckShape(shape);
        Length = CountOf(Shape);
        if (buffer.Length != Length)
            throw new ArgumentException($"A tensor of shape ({string.Join(", ", shape)}) needs {Length} values; the device buffer holds {buffer.Length}.", nameof(buffer));
        _device = buffer;
    }

    /// <summary>A zero tensor of <paramref name="shape"/> on <paramref name="device"/> (null: in host memory).</summary>
    public static Tensor Zeros(TensorDevice? device, params int[] shape)
        => device is null ? new Tensor(shape) : new Tensor(device.Allocate<float>(CountOf(CheckShape(shape))), shape);

    /// <summary>The dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>
    /// The elements, row-major, of a host tensor. A device tensor has no host array: read it with <see cref="CopyTo"/>
    /// or <see cref="ToArray"/>, or move its network to a CPU backend.
    /// </summary>
    public float[] Data => _host ?? throw NotOnHost();

    public Span<float> Span => Data;

    /// <summary>The device whose memory holds the elements; null for a host tensor.</summary>
    public TensorDevice? Device => _device?.Device;

    /// <summary>True when the elements are a host array (<see cref="Data"/>).</summary>
    public bool IsOnHost => _host is not null;

    /// <summary>The device storage of a device tensor, for its backend's kernels.</summary>
    public DeviceBuffer<float> Buffer => _device ?? throw new InvalidOperationException($"Tensor {ShapeText} is in host memory, not on a device.");

    public int Rank => Shape.Length;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Dim(int dim) => Shape[dim < 0 ? Shape.Length + dim : dim];

    /// <summary>The shape as PyTorch prints it, e.g. "(256, 1, 28, 28)".</summary>
    public string ShapeText => ShapeToText(Shape);

    /// <summary>True when this tensor has exactly the dimensions <paramref name="shape"/>.</summary>
    public bool HasShape(ReadOnlySpan<int> shape) => Shape.AsSpan().SequenceEqual(shape);

    /// <summary>A tensor of <paramref name="shape"/> that shares this tensor's storage (no copy); the element count must match.</summary>
    public Tensor Reshape(params int[] shape) => _host is not null ? new(_host, shape) : new(_device!, shape);

    /// <summary>True when both tensors are views of the same storage.</summary>
    public bool SharesStorageWith(Tensor other)
        => _host is not null ? ReferenceEquals(_host, other._host) : ReferenceEquals(_device, other._device);

    /// <summary>Sets every element to zero.</summary>
    public void Clear()
    {
        if (_host is not null)
            Array.Clear(_host);
        else
            _device!.Clear();
    }

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (same element count), between host and device as needed.</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Length != Length)
            throw new ArgumentException($"Cannot copy a tensor of shape {source.ShapeText} into one of shape {ShapeText}.", nameof(source));
        if (source._host is not null)
            CopyFrom(source._host);
        else if (_host is not null)
            source._device!.CopyToHost(_host);
        else if (_device!.Device == source._device!.Device)
            _device.CopyFrom(source._device);
        else
            _device.CopyFromHost(source.ToArray());
    }

    /// <summary>Copies <paramref name="source"/> (exactly <see cref="Length"/> values) into this tensor.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Length)
            throw new ArgumentException($"Cannot copy {source.Length} values into a tensor of shape {ShapeText} ({Length} values).", nameof(source));
        if (_host is not null)
            source.CopyTo(_host);
        else
            _device!.CopyFromHost(source);
    }

    /// <summary>Copies the elements into the start of <paramref name="destination"/> (at least <see cref="Length"/> long), from the device if need be.</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Length)
            throw new ArgumentException($"A tensor of shape {ShapeText} has {Length} values; the destination holds only {destination.Length}.", nameof(destination));
        if (_host is not null)
            _host.AsSpan().CopyTo(destination);
        else
            _device!.CopyToHost(destination[..Length]);
    }

    /// <summary>The elements in a new host array.</summary>
    public float[] ToArray()
    {
        var values = new float[Length];
        CopyTo(values);
        return values;
    }

    /// <summary>
    /// The elements on the host without allocating per call: a host tensor's own array, or a device tensor's values
    /// copied into <paramref name="staging"/> (allocated on first use, reused while long enough).
    /// </summary>
    public float[] ToHost(ref float[]? staging)
    {
        if (_host is not null)
            return _host;
        if (staging is null || staging.Length < Length)
            staging = new float[Length];
        _device!.CopyToHost(staging.AsSpan(0, Length));
        return staging;
    }

    /// <summary>A deep copy in host memory (a device tensor's values are copied to the host).</summary>
    public Tensor Clone() => new(ToArray(), Shape);

    /// <summary>
    /// Moves the storage to <paramref name="device"/> (null: host memory), keeping the values and this object, so
    /// whatever refers to the tensor (an optimizer, a state dictionary) follows. Views made with <see cref="Reshape"/>
    /// before the move keep the old storage, which a device move frees.
    /// </summary>
    public void MoveTo(TensorDevice? device)
    {
        if (device == Device)
            return;
        if (device is null)
        {
            var values = ToArray();
            Release();
            _host = values;
            return;
        }
        var buffer = device.Allocate<float>(Length);
        if (_host is not null)
            buffer.CopyFromHost(_host);
        else
            buffer.CopyFromHost(ToArray());
        Release();
        _host = null;
        _device = buffer;
    }

    /// <summary>Frees device storage now rather than when collected (a layer replacing a buffer it owns); the tensor is unusable after.</summary>
    internal void Release()
    {
        _device?.Dispose();
        _device = null;
    }

    /// <summary>Formats dimensions as "(a, b, c)".</summary>
    public static string ShapeToText(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
            parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "(" + string.Join(", ", parts) + ")";
    }

    public override string ToString() => $"Tensor({string.Join(", ", Shape)}){(_device is null ? "" : " on " + _device.Device.Name)}";

    private InvalidOperationException NotOnHost() => new(
        $"Tensor {ShapeText} lives on {_device!.Device.Name}, not in host memory, so it has no Data array. " +
        "Copy it with CopyTo/ToArray, or move its network to a CPU backend (layer.Kernels = a CPU backend) first.");

    private static int CountOf(int[] shape) => shape.Aggregate(1, (a, b) => checked(a * b));

    private static int[] CheckShape(int[] shape)
    {
        foreach (var d in shape)
            if (d < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor dimensions must not be negative: ({string.Join(", ", shape)}).");
        return [.. shape];
    }
}
