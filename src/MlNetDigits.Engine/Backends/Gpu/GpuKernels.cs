using System.Runtime.InteropServices;
using System.Runtime.Loader;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace MlNetDigits.Engine.Backends;

/// <summary>
/// The GPU backend: C# kernels that ILGPU compiles at run time for a CUDA device, with GEMM by cuBLAS (through
/// ILGPU.Algorithms) where the accelerator is CUDA and by an ILGPU kernel otherwise. Tensors live in device memory
/// (<see cref="Device"/>), so layers, the loss and the optimizers run there; a training step copies only the input
/// batch, the targets and the dropout uniforms in and the loss out. Work is queued in call order on the accelerator's
/// default stream. Every reduction adds in a fixed order (no atomics), so a run repeats bit for bit on the same device
/// (and cuBLAS version).
/// ILGPU's CPU accelerator runs the same kernels on the host (<see cref="CreateOnCpuAccelerator"/>): slow, for tests.
/// Like the CPU backends, one thread uses an instance at a time (any thread: the CUDA context follows the caller).
/// </summary>
public sealed partial class GpuKernels : IKernels, IDisposable
{

    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly CuBlas? _blas;
    private readonly string _gemm;
    private readonly GpuDevice _device;
    private GpuBuffer<double>? _partialSums; // (2, rows, partials): stage-one sums of the reductions
    private GpuBuffer<double>? _rowScratch; // (rows): a per-channel double (batch-norm mean)
    private GpuBuffer<float>? _floatScratch; // (2, rows): per-channel floats (batch-norm backward coefficients), norms
    private double[] _rowLosses = [];       // (N): the loss rows read back
    private readonly int _maxThreads;       // threads a grid-stride loop launches at most
    private readonly int _partials;         // interleaved partial sums per row in the two-stage reductions

    private GpuKernels(Context context, Accelerator accelerator, bool useCuBlas)
    {
        _context = context;
        _accelerator = accelerator;
        _device = new GpuDevice(this, accelerator);
        // Kernels are grid-stride loops: on a GPU enough threads to fill every multiprocessor (one element each, for the
        // sizes here); on the CPU accelerator, whose cost is per simulated thread group, a few threads that loop long.
        bool cpu = accelerator.AcceleratorType == AcceleratorType.CPU;
        _maxThreads = cpu ? 64 : Math.Max(1024, accelerator.MaxNumThreads);
        _partials = cpu ? 1 : 256;
        _gemm = "ILGPU GEMM kernel";
        if (useCuBlas && accelerator is CudaAccelerator cuda)
        {
            (_blas, var why) = TryCuBlas(cuda);
            _gemm = _blas is not null ? $"cuBLAS {_blas.Version}" : $"ILGPU GEMM kernel (cuBLAS unavailable: {why})";
        }
    }

    /// <summary>
    /// The GPU backend on CUDA device <paramref name="deviceIndex"/> (0: the first). Throws
    /// <see cref="BackendUnavailableException"/> naming the devices ILGPU found when there is no such CUDA device.
    /// </summary>
    /// <param name="deviceIndex">Which CUDA device, in ILGPU's order.</param>
    /// <param name="useCuBlas">False runs GEMM as an ILGPU kernel even on CUDA (for comparisons).</param>
    public static GpuKernels Create(int deviceIndex = 0, bool useCuBlas = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceIndex);
        FindVersionedCudaDriver();
        var context = Context.Create(b => b.Cuda().EnableAlgorithms().Math(MathMode.Default).Optimize(OptimizationLevel.O2));
        try
        {
            var devices = context.GetCudaDevices();
            if (deviceIndex >= devices.Count)
                throw new BackendUnavailableException(NoCudaDevice(deviceIndex, devices.Count));
            return new GpuKernels(context, devices[deviceIndex].CreateCudaAccelerator(context), useCuBlas);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The GPU backend's kernels on ILGPU's CPU accelerator, which simulates a GPU on the host: many times slower than
    /// the CPU backends, meant for testing the kernels where there is no GPU. GEMM runs as the ILGPU kernel.
    /// </summary>
    public static GpuKernels CreateOnCpuAccelerator()
    {
        // Four threads per warp, one warp per simulated multiprocessor, one multiprocessor per core: few OS threads.
        var device = new CPUDevice(4, 1, Math.Max(1, Math.Min(Environment.ProcessorCount, 4)));
        var context = Context.Create(b => b.CPU(device).EnableAlgorithms().Math(MathMode.Default));
        try
        {
            return new GpuKernels(context, context.CreateCPUAccelerator(0, CPUAcceleratorMode.Sequential), useCuBlas: false);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static int _driverResolver;

    /// <summary>
    /// ILGPU imports the CUDA driver as "cuda", which Linux's loader finds only as libcuda.so, a symbolic link that only
    /// the driver's development package installs; a machine (or container) with just the driver has libcuda.so.1. When
    /// the usual lookup fails, load that instead.
    /// </summary>
    private static void FindVersionedCudaDriver()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _driverResolver, 1) == 1)
            return;
        var ilgpu = typeof(Context).Assembly;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) =>
            assembly == ilgpu && name is "cuda" or "nvcuda" or "libcuda" && NativeLibrary.TryLoad("libcuda.so.1", out var handle) ? handle : IntPtr.Zero;
    }

    private static string NoCudaDevice(int deviceIndex, int cudaCount)
    {
        var found = new List<string>();
        try
        {
            using var all = Context.Create(b => b.AllAccelerators());
            foreach (var d in all.Devices)
                found.Add($"{d.AcceleratorType} '{d.Name}'");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            found.Add($"(listing devices failed: {e.Message})");
        }
        string what = cudaCount == 0
            ? "ILGPU found no CUDA device (is there an NVIDIA GPU and driver, with libcuda.so.1 loadable?)"
            : $"ILGPU found {cudaCount} CUDA device(s), so there is no device {deviceIndex}";
        return $"The GPU backend (BackendKind.Gpu, MLND_BACKEND=gpu, --backend gpu) needs a CUDA device, but {what}. " +
            $"Devices found: {(found.Count == 0 ? "none" : string.Join(", ", found))}. " +
            "ILGPU's CPU accelerator runs the GPU kernels on the host for tests only (MLND_GPU_ACCELERATOR=cpu or GpuKernels.CreateOnCpuAccelerator(), many times slower); " +
            "to train on this machine choose a CPU backend (BackendKind.Auto, MLND_BACKEND=auto).";
    }

    private static (CuBlas? Blas, string? Why) TryCuBlas(CudaAccelerator cuda)
    {
        string? why = null;
        foreach (var version in new[] { ILGPU.Runtime.Cuda.API.CuBlasAPIVersion.V12, ILGPU.Runtime.Cuda.API.CuBlasAPIVersion.V11 })
        {
            try
            {
                var blas = new CuBlas(cuda, version) { Stream = (CudaStream)cuda.DefaultStream };
                return (blas, null);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or CuBlasException or NotSupportedException)
            {
                why = $"{version}: {e.GetBaseException().Message}";
            }
        }
        return (null, why);
    }

    public BackendKind Kind => BackendKind.Gpu;

    /// <summary>1: the device splits the work, not host threads.</summary>
    public int Threads => 1;

    public string Description => $"GPU backend on {_device.Name} (ILGPU {Context.Version}), GEMM: {_gemm}";

    /// <summary>The accelerator's memory, where this backend's tensors live.</summary>
    public TensorDevice Device => _device;

    TensorDevice? IKernels.Device => _device;

    /// <summary>True when GEMM runs on cuBLAS.</summary>
    public bool UsesCuBlas => _blas is not null;

    /// <summary>True on ILGPU's CPU accelerator (the test configuration).</summary>
    public bool IsCpuAccelerator => _accelerator.AcceleratorType == AcceleratorType.CPU;

    public override string ToString() => Description;

    /// <summary>Waits until the device has finished every queued kernel (timing; host copies already wait).</summary>
    public void Synchronize() => _accelerator.Synchronize();

    public void Dispose()
    {
        _blas?.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    // ---- GEMM ----

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc)
    {
        CpuKernels.CheckGemm(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        Gemm(transA, transB, m, n, k, alpha, View(a), lda, View(b), ldb, beta, View(c), ldc);
    }

    /// <summary>Row-major C = alpha op(A) op(B) + beta C on device views (beta 0 overwrites C).</summary>
    private void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc)
    {
        if (m == 0 || n == 0)
            return;
        if (_blas is not null)
        {
            // cuBLAS is column-major: the row-major C (m, n) is C^T (n, m) there, and C^T = op(B)^T op(A)^T.
            _blas.Gemm(transB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose, transA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                n, m, k, alpha, b, Math.Max(1, ldb), a, Math.Max(1, lda), beta, c, Math.Max(1, ldc));
            return;
        }
        _gemmKernel ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmKernel);
        var loop = LoopOver((long)m * n);
        _gemmKernel(loop.Stride, loop, a, b, c, new GemmShape(n, k, transA ? 1 : 0, transB ? 1 : 0, lda, ldb, ldc, alpha, beta));
    }

    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>? _gemmKernel;

    internal readonly record struct GemmShape(int N, int K, int TransA, int TransB, int Lda, int Ldb, int Ldc, float Alpha, float Beta);

    // One element of C per iteration, in row-major order (neighbouring threads read neighbouring columns of B); the k
    // products are added in order.
    internal static void GemmKernel(Index1D t, Loop loop, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        for (int e = t; e < loop.Count; e += loop.Stride)
        {
            int i = e / s.N, j = e - i * s.N;
            float sum = 0f;
            for (int p = 0; p < s.K; p++)
            {
                float av = s.TransA != 0 ? a[p * s.Lda + i] : a[i * s.Lda + p];
                float bv = s.TransB != 0 ? b[j * s.Ldb + p] : b[p * s.Ldb + j];
                sum += av * bv;
            }
            int at = i * s.Ldc + j;
            c[at] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[at];
        }
    }

    // ---- launch and storage helpers ----

    /// <summary>A grid-stride loop: Stride threads run, each over the elements t, t + Stride, ... below Count.</summary>
    internal readonly record struct Loop(int Count, int Stride);

    /// <summary>The loop over <paramref name="count"/> elements; launch Stride threads.</summary>
    private Loop LoopOver(long count)
    {
        int n = checked((int)count);
        return new Loop(n, Math.Max(1, Math.Min(n, _maxThreads)));
    }


    /// <summary>The device view of <paramref name="t"/>, which must live on this backend's device.</summary>
    private ArrayView<float> View(Tensor t)
    {
        if (t.Device != _device)
            throw new ArgumentException($"The GPU backend works on tensors in its device memory ({_device.Name}), but tensor {t.ShapeText} is " +
                $"{(t.Device is null ? "in host memory" : "on " + t.Device.Name)}. Set the network's Kernels to this backend (it moves the parameters) " +
                "and let Sequential copy the input batch, or copy the tensor with Tensor.Zeros(kernels.Device, shape).CopyFrom(...).");
        _device.Bind();   // the first thing each kernel call does: the CUDA context follows the calling thread
        return ((GpuBuffer<float>)t.Buffer).View;
    }

    private ArrayView<int> View(IntTensor t)
    {
        if (t.Device != _device)
            throw new ArgumentException($"The GPU backend works on vectors in its device memory ({_device.Name}), but this int vector ({t.Length} values) is " +
                $"{(t.Device is null ? "in host memory" : "on " + t.Device.Name)}.");
        _device.Bind();
        return ((GpuBuffer<int>)t.Buffer).View;
    }

    /// <summary>A device scratch buffer of at least <paramref name="length"/> elements, grown (never shrunk) as needed.</summary>
    private ArrayView<T> Scratch<T>(ref GpuBuffer<T>? buffer, long length) where T : unmanaged
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = new GpuBuffer<T>(_device, _accelerator, length);
        }
        return buffer.View.SubView(0, length);
    }

    private static void Require(long actual, long expected, string what)
    {
        if (actual != expected)
            throw new ArgumentException($"{what}: expected {expected} values, got {actual}.");
    }
}
