using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Backends.Gpu;

/// <summary>
/// The GPU backend on ILGPU's CPU accelerator, and a CPU backend to compare it with; shared by the GPU test classes,
/// which run one after another (the accelerator keeps every core busy).
/// </summary>
public sealed class CpuAccelerator : IDisposable
{
    public GpuKernels Gpu { get; } = GpuKernels.CreateOnCpuAccelerator();

    public CpuKernels Cpu { get; } = new(BackendKind.Managed, 2);

    public void Dispose()
    {
        Gpu.Dispose();
        Cpu.Dispose();
    }

    /// <summary>A copy of <paramref name="host"/> in the GPU backend's memory.</summary>
    public Tensor Up(Tensor host) => TestData.On(Gpu, host);

    /// <summary>
    /// Asserts the GPU result equals the CPU one to <paramref name="rtol"/> relative, with an absolute floor of
    /// rtol / 10 times the largest expected magnitude (sums that cancel to near zero differ by rounding only).
    /// </summary>
    public static void AssertAgree(Tensor cpu, Tensor gpu, string what, double rtol = 1e-4)
    {
        var expected = cpu.ToArray();
        float scale = expected.Length == 0 ? 0 : expected.Max(MathF.Abs);
        TestData.AssertClose(cpu, gpu, rtol, rtol / 10 * scale + 1e-30, what);
    }
}

[CollectionDefinition(Name)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAccelerator>
{
    public const string Name = "GPU backend on the CPU accelerator";
}
