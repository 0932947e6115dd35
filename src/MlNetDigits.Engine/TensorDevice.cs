using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine;

/// <summary>
/// The memory of a device backend (a GPU): it allocates the buffers that device tensors live in and names the backend
/// whose kernels work on them. Host tensors have no device; the CPU backends' <see cref="IKernels.Device"/> is null.
/// </summary>
public abstract class TensorDevice
{
    /// <summary>The backend that owns this memory and runs kernels on its tensors.</summary>
    public abstract IKernels Kernels { get; }

    /// <summary>A human-readable name, e.g. "NVIDIA H200 (CUDA)".</summary>
    public abstract string Name { get; }

    /// <summary>A zeroed buffer of <paramref name="length"/> elements.</summary>
    public abstract DeviceBuffer<T> Allocate<T>(long length) where T : unmanaged;

    public override string ToString() => Name;
}
