namespace MlNetDigits.Engine.Backends;

/// <summary>Which matrix-multiply implementation a CPU backend uses.</summary>
public enum BackendKind
{
    /// <summary>OpenBLAS when libopenblas.so.0 can be loaded, otherwise the managed kernels.</summary>
    Auto,

    /// <summary>The managed cache-blocked Vector256/FMA GEMM; needs no native library.</summary>
    Managed,

    /// <summary>OpenBLAS's cblas_sgemm through P/Invoke; fails to create when the library is missing.</summary>
    OpenBlas,
}
