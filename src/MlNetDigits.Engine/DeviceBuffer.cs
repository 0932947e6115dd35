namespace MlNetDigits.Engine;

/// <summary>
/// Elements in a <see cref="TensorDevice"/>'s memory. Copies to and from the host wait until the device has finished
/// the work queued before them, so what the host reads is what the kernels wrote.
/// </summary>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    protected DeviceBuffer(TensorDevice device, long length)
    {
        Device = device;
        Length = length;
    }

    public TensorDevice Device { get; }

    public long Length { get; }

    /// <summary>Writes <paramref name="source"/> to the first source.Length elements.</summary>
    public abstract void CopyFromHost(ReadOnlySpan<T> source);

    /// <summary>Reads the first destination.Length elements into <paramref name="destination"/>.</summary>
    public abstract void CopyToHost(Span<T> destination);

    /// <summary>Copies every element of <paramref name="source"/> (same device, same length).</summary>
    public abstract void CopyFrom(DeviceBuffer<T> source);

    /// <summary>Sets every element to zero.</summary>
    public abstract void Clear();

    public abstract void Dispose();
}
