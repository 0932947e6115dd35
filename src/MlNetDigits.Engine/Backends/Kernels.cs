namespace MlNetDigits.Engine.Backends;

/// <summary>
/// Chooses the process-wide default backend. Environment variables override the automatic choice:
/// MLND_BACKEND = auto | managed | openblas | gpu, MLND_THREADS = a positive thread count (default: all cores).
/// Code can also assign <see cref="Default"/> or pass an <see cref="IKernels"/> to each layer.
/// </summary>
public static class Kernels
{
    /// <summary>Environment variable naming the backend: auto, managed, openblas or gpu.</summary>
    public const string BackendVariable = "MLND_BACKEND";

    /// <summary>Environment variable giving the thread count.</summary>
    public const string ThreadsVariable = "MLND_THREADS";

    /// <summary>
    /// Environment variable that, set to "cpu", makes <see cref="BackendKind.Gpu"/> run the GPU kernels on ILGPU's CPU
    /// accelerator instead of a CUDA device: for testing the GPU code path end to end where there is no GPU (slow).
    /// </summary>
    public const string GpuAcceleratorVariable = "MLND_GPU_ACCELERATOR";

    private static IKernels? _default;
    private static readonly Lazy<CpuKernels> _host = new(() => new CpuKernels(BackendKind.Managed, 1));

    /// <summary>The backend layers use when none is given; created on first use from the environment.</summary>
    public static IKernels Default
    {
        get => _default ??= FromEnvironment();
        set => _default = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The kind <see cref="Default"/> is or will be, without creating it (MLND_BACKEND until Default exists).</summary>
    public static BackendKind DefaultKind => _default?.Kind ?? KindFromEnvironment();

    /// <summary>
    /// A single-threaded CPU backend for host tensors that no layer's kernels own: optimizer steps and gradient clipping
    /// of a network in host memory (stateless kernels, safe from any thread), and a network brought back from a device
    /// to be exported or saved (layers run on it one thread at a time).
    /// </summary>
    public static IKernels Host => _host.Value;

    /// <summary>True when OpenBLAS (libopenblas.so.0) can be loaded in this process.</summary>
    public static bool OpenBlasAvailable => OpenBlas.IsAvailable;

    /// <summary>
    /// A new backend of <paramref name="kind"/>: a CPU one on <paramref name="threads"/> threads (0 = all cores), or for
    /// <see cref="BackendKind.Gpu"/> the GPU backend on the first CUDA device (threads unused), which throws
    /// <see cref="BackendUnavailableException"/> naming the devices found when there is no CUDA device (or on ILGPU's
    /// CPU accelerator when MLND_GPU_ACCELERATOR=cpu).
    /// </summary>
    public static IKernels Create(BackendKind kind = BackendKind.Auto, int threads = 0)
    {
        if (kind != BackendKind.Gpu)
            return new CpuKernels(kind, threads);
        var accelerator = Environment.GetEnvironmentVariable(GpuAcceleratorVariable);
        if (string.IsNullOrWhiteSpace(accelerator) || accelerator.Trim().Equals("cuda", StringComparison.OrdinalIgnoreCase))
            return GpuKernels.Create();
        if (accelerator.Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase))
            return GpuKernels.CreateOnCpuAccelerator();
        throw new InvalidOperationException($"{GpuAcceleratorVariable}='{accelerator}' is not an accelerator; use cuda (the default) or cpu (ILGPU's CPU accelerator, for tests).");
    }

    /// <summary>A backend configured by MLND_BACKEND and MLND_THREADS.</summary>
    public static IKernels FromEnvironment()
    {
        var kind = KindFromEnvironment();
        var threadsText = Environment.GetEnvironmentVariable(ThreadsVariable);
        int threads = 0;
        if (!string.IsNullOrWhiteSpace(threadsText) && (!int.TryParse(threadsText, out threads) || threads < 1))
            throw new InvalidOperationException($"{ThreadsVariable}='{threadsText}' is not a positive thread count.");
        return Create(kind, threads);
    }

    private static BackendKind KindFromEnvironment() => ParseKind(Environment.GetEnvironmentVariable(BackendVariable));

    /// <summary>The backend MLND_BACKEND's <paramref name="kindText"/> names (blank: Auto).</summary>
    internal static BackendKind ParseKind(string? kindText)
    {
        var kind = BackendKind.Auto;
        if (!string.IsNullOrWhiteSpace(kindText) && (!Enum.TryParse(kindText.Trim(), ignoreCase: true, out kind) || !Enum.IsDefined(kind)))
            throw new InvalidOperationException($"{BackendVariable}='{kindText}' is not a backend; use auto, managed, openblas or gpu.");
        return kind;
    }
}
