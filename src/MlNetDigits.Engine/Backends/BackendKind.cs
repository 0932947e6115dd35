namespace MlNetDigits.Engine.Backends;

/// <summary>Which backend runs the kernels: a CPU one (by its matrix-multiply implementation) or the GPU one.</summary>
public enum BackendKind
{
    /// <summary>OpenBLAS when libopenblas.so.0 can be loaded, otherwise the managed kernels.</summary>
    Auto,

    /// <summary>The managed cache-blocked Vector256/FMA GEMM; needs no native library.</summary>
    Managed,

    /// <summary>OpenBLAS's cblas_sgemm through P/Invoke; fails to create when the library is missing.</summary>
    OpenBlas,

    /// <summary>
    /// The GPU backend (GpuKernels: ILGPU kernels, cuBLAS GEMM) on the first CUDA device; tensors live in
    /// device memory. Fails to create, naming the devices found, when there is no CUDA device.
    /// </summary>
    Gpu,
}
