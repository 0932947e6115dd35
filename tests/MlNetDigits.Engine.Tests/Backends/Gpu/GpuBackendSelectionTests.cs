using ILGPU;
using ILGPU.Runtime.Cuda;
using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Engine.Tests.Backends.Gpu;

/// <summary>How the GPU backend is chosen, and what it says when it cannot be.</summary>
public sealed class GpuBackendSelectionTests
{
    /// <summary>A fact reported as skipped where a CUDA device is present (the no-device error cannot happen there).</summary>
    public sealed class NoCudaFactAttribute : FactAttribute
    {
        public NoCudaFactAttribute()
        {
            using var context = Context.Create(b => b.Cuda());
            if (context.GetCudaDevices().Count > 0)
                Skip = "a CUDA device is present, so the GPU backend is created rather than refused.";
        }
    }

    [Theory]
    [InlineData("gpu", BackendKind.Gpu)]
    [InlineData(" GPU ", BackendKind.Gpu)]
    [InlineData("openblas", BackendKind.OpenBlas)]
    [InlineData("", BackendKind.Auto)]
    [InlineData(null, BackendKind.Auto)]
    public void BackendVariable_NamesTheKind(string? text, BackendKind expected) => Assert.Equal(expected, Kernels.ParseKind(text));

    [Theory]
    [InlineData("cuda")]
    [InlineData("7")]
    public void BackendVariable_ThrowsNamingTheChoicesGivenAnUnknownBackend(string text)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Kernels.ParseKind(text));
        Assert.Contains($"MLND_BACKEND='{text}'", e.Message);
        Assert.Contains("auto, managed, openblas or gpu", e.Message);
    }

    [NoCudaFact]
    public void CreateGpu_ThrowsNamingTheDevicesFoundAndTheCpuAccelerator_WhenThereIsNoCudaDevice()
    {
        var e = Assert.Throws<BackendUnavailableException>(() => Kernels.Create(BackendKind.Gpu));
        Assert.Contains("needs a CUDA device", e.Message);
        Assert.Contains("ILGPU found no CUDA device", e.Message);
        Assert.Contains("Devices found: CPU", e.Message);
        Assert.Contains("CPU accelerator", e.Message);
        Assert.Contains("for tests only", e.Message);
        Assert.Contains("BackendKind.Auto", e.Message);
    }

    [Fact]
    public void CreateGpu_ThrowsNamingTheCountGivenADeviceIndexBeyondTheCudaDevices()
    {
        using var context = Context.Create(b => b.Cuda());
        int count = context.GetCudaDevices().Count;
        var e = Assert.Throws<BackendUnavailableException>(() => GpuKernels.Create(count));
        Assert.Contains(count == 0 ? "no CUDA device" : $"so there is no device {count}", e.Message);
    }

    [Fact]
    public void CpuKernels_RefuseTheGpuKind()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CpuKernels(BackendKind.Gpu));
        Assert.Contains("Kernels.Create(BackendKind.Gpu)", e.Message);
    }

    [Fact]
    public void CpuAcceleratorBackend_DescribesItselfAndKeepsTensorsOnItsDevice()
    {
        using var gpu = GpuKernels.CreateOnCpuAccelerator();
        Assert.Equal(BackendKind.Gpu, gpu.Kind);
        Assert.True(gpu.IsCpuAccelerator);
        Assert.False(gpu.UsesCuBlas);
        Assert.Contains("ILGPU GEMM kernel", gpu.Description);
        Assert.Same(gpu, gpu.Device.Kernels);
        var t = Tensor.Zeros(gpu.Device, 2, 3);
        Assert.Same(gpu.Device, t.Device);
        Assert.False(t.IsOnHost);
    }
}
