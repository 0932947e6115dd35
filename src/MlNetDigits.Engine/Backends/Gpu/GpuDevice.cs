using ILGPU.Runtime;

namespace MlNetDigits.Engine.Backends;

/// <summary>The memory of one ILGPU accelerator, owned by a <see cref="GpuKernels"/>.</summary>
internal sealed class GpuDevice(GpuKernels kernels, Accelerator accelerator) : TensorDevice
{
    public override IKernels Kernels => kernels;

    public override string Name { get; } = $"{accelerator.Name} ({accelerator.AcceleratorType})";

    public override DeviceBuffer<T> Allocate<T>(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new GpuBuffer<T>(this, accelerator, length);
    }

    /// <summary>Makes the accelerator current on this thread (a CUDA context is per thread) unless it already is.</summary>
    public void Bind()
    {
        if (Accelerator.Current != accelerator)
            accelerator.Bind();
    }
}
