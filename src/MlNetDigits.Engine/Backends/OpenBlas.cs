using System.Runtime.InteropServices;

namespace MlNetDigits.Engine.Backends;

/// <summary>
/// The OpenBLAS shared library (Debian: libopenblas0-pthread, file libopenblas.so.0), loaded on first use with
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/> so that its absence is detected rather than fatal.
/// </summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly string[] Candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas"];
    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;
    private static readonly delegate* unmanaged<int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemv;
    private static readonly delegate* unmanaged<int, void> SetNumThreads;
    private static readonly delegate* unmanaged<IntPtr> GetConfig;
    private static int _currentThreads = -1;

    static OpenBlas()
    {
        var overridePath = Environment.GetEnvironmentVariable("MLND_OPENBLAS_PATH");
        IEnumerable<string> names = string.IsNullOrEmpty(overridePath) ? Candidates : [overridePath];
        foreach (var name in names)
        {
            if (!NativeLibrary.TryLoad(name, out var handle))
                continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm))
                continue;
            Sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            if (NativeLibrary.TryGetExport(handle, "cblas_sgemv", out var sgemv))
                Sgemv = (delegate* unmanaged<int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemv;
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var setThreads))
                SetNumThreads = (delegate* unmanaged<int, void>)setThreads;
            if (NativeLibrary.TryGetExport(handle, "openblas_get_config", out var config))
                GetConfig = (delegate* unmanaged<IntPtr>)config;
            LibraryName = name;
            IsAvailable = true;
            return;
        }
    }

    /// <summary>True when an OpenBLAS library exporting cblas_sgemm was found.</summary>
    public static bool IsAvailable { get; }

    /// <summary>The name the library was loaded under, or null.</summary>
    public static string? LibraryName { get; }

    /// <summary>OpenBLAS's own build description (version, kernel, threading), or an empty string.</summary>
    public static string Config => GetConfig == null ? "" : Marshal.PtrToStringAnsi(GetConfig()) ?? "";

    /// <summary>Sets OpenBLAS's (process-wide) thread count when it differs from the last value set.</summary>
    public static void UseThreads(int threads)
    {
        if (threads != _currentThreads && SetNumThreads != null)
        {
            SetNumThreads(threads);
            _currentThreads = threads;
        }
    }

    /// <summary>Row-major C = alpha op(A) op(B) + beta C.</summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (!IsAvailable)
            throw new InvalidOperationException("OpenBLAS is not loaded (libopenblas.so.0 not found). Install libopenblas0-pthread or use the managed backend.");
        if (m == 1 && Sgemv != null)
        {
            // One row (a single image through a dense layer): sgemm would pack all of B first, which costs more than the
            // product; sgemv reads B once. c (1, n) = alpha a (1, k) op(B) + beta c, with a's elements lda apart when
            // transposed. op(B) = B^T (B is (n, k)): c = B a; op(B) = B ((k, n)): c = B^T a.
            Sgemv(RowMajor, transB ? NoTrans : Trans, transB ? n : k, transB ? k : n, alpha, b, ldb, a, transA ? lda : 1, beta, c, 1);
            return;
        }
        Sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
