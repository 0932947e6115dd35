namespace MlNetDigits.Engine;

/// <summary>
/// A dense int32 vector kept where a backend keeps its float tensors (host array or device buffer): the class targets
/// of a batch, the positions max pooling took its maxima from.
/// </summary>
public sealed class IntTensor
{
    private readonly int[]? _host;
    private DeviceBuffer<int>? _device;

    /// <summary>A zero vector of <paramref name="length"/> in host memory.</summary>
    public IntTensor(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _host = new int[length];
        Length = length;
    }

    private IntTensor(DeviceBuffer<int> buffer)
    {
        _device = buffer;
        Length = checked((int)buffer.Length);
    }

    /// <summary>A zero vector of <paramref name="length"/> on <paramref name="device"/> (null: in host memory).</summary>
    public static IntTensor Zeros(TensorDevice? device, int length) => device is null ? new IntTensor(length) : new IntTensor(device.Allocate<int>(length));

    public int Length { get; }

    /// <summary>The values of a host vector; a device vector has none (see <see cref="CopyTo"/>).</summary>
    public int[] Data => _host ?? throw new InvalidOperationException($"This int vector ({Length} values) lives on {_device!.Device.Name}, not in host memory; copy it with CopyTo.");

    /// <summary>The device whose memory holds the values; null on the host.</summary>
    public TensorDevice? Device => _device?.Device;

    /// <summary>The device storage, for its backend's kernels.</summary>
    public DeviceBuffer<int> Buffer => _device ?? throw new InvalidOperationException($"This int vector ({Length} values) is in host memory, not on a device.");

    /// <summary>Copies <paramref name="source"/> (at most <see cref="Length"/> values) into the start of this vector.</summary>
    public void CopyFrom(ReadOnlySpan<int> source)
    {
        if (source.Length > Length)
            throw new ArgumentException($"Cannot copy {source.Length} values into an int vector of {Length}.", nameof(source));
        if (_host is not null)
            source.CopyTo(_host);
        else
            _device!.CopyFromHost(source);
    }

    /// <summary>Copies the first destination.Length values (at most <see cref="Length"/>) into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<int> destination)
    {
        if (destination.Length > Length)
            throw new ArgumentException($"An int vector of {Length} values cannot fill {destination.Length}.", nameof(destination));
        if (_host is not null)
            _host.AsSpan(0, destination.Length).CopyTo(destination);
        else
            _device!.CopyToHost(destination);
    }

    /// <summary>Frees device storage now (a layer replacing a buffer it owns); the vector is unusable after.</summary>
    internal void Release()
    {
        _device?.Dispose();
        _device = null;
    }
}
