using ILGPU;
using ILGPU.Runtime;

namespace MlNetDigits.Engine.Backends;

/// <summary>Elements in an ILGPU accelerator's memory (a CUDA device's, or host memory for the CPU accelerator).</summary>
internal sealed class GpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _memory;

    public GpuBuffer(GpuDevice device, Accelerator accelerator, long length) : base(device, length)
    {
        device.Bind();
        // ILGPU refuses empty buffers; an empty tensor gets one element and a view of none.
        _memory = accelerator.Allocate1D<T>(Math.Max(1, length));
        _memory.MemSetToZero();
        View = _memory.View.SubView(0, length);
    }

    /// <summary>The elements, for kernels.</summary>
    public ArrayView<T> View { get; }

    public override void CopyFromHost(ReadOnlySpan<T> source)
    {
        if (source.Length > Length)
            throw new ArgumentException($"Cannot write {source.Length} values into a device buffer of {Length}.", nameof(source));
        if (source.IsEmpty)
            return;
        ((GpuDevice)Device).Bind();
        View.SubView(0, source.Length).CopyFromCPU(source);
    }

    public override void CopyToHost(Span<T> destination)
    {
        if (destination.Length > Length)
            throw new ArgumentException($"Cannot read {destination.Length} values from a device buffer of {Length}.", nameof(destination));
        if (destination.IsEmpty)
            return;
        ((GpuDevice)Device).Bind();
        View.SubView(0, destination.Length).CopyToCPU(destination);
        _memory.Accelerator.Synchronize();
    }

    public override void CopyFrom(DeviceBuffer<T> source)
    {
        if (source is not GpuBuffer<T> other || other.Device != Device || other.Length != Length)
            throw new ArgumentException($"Device copies need a buffer of {Length} values on {Device.Name}.", nameof(source));
        if (Length == 0)
            return;
        ((GpuDevice)Device).Bind();
        other.View.CopyTo(View);
    }

    public override void Clear()
    {
        if (Length == 0)
            return;
        ((GpuDevice)Device).Bind();
        View.MemSetToZero();
    }

    public override void Dispose()
    {
        ((GpuDevice)Device).Bind();
        _memory.Dispose();
    }
}
