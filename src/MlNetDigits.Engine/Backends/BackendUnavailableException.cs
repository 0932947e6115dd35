namespace MlNetDigits.Engine.Backends;

/// <summary>
/// The backend asked for cannot run on this machine (no CUDA device for <see cref="BackendKind.Gpu"/>, no OpenBLAS
/// library for <see cref="BackendKind.OpenBlas"/>); the message says what was found and what to choose instead.
/// </summary>
public sealed class BackendUnavailableException(string message) : InvalidOperationException(message);
