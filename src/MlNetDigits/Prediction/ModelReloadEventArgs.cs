namespace MlNetDigits;

/// <summary>A new model replaced the one being served.</summary>
public sealed class ModelReloadedEventArgs(LoadedModel previous, LoadedModel current) : EventArgs
{
    /// <summary>The model served until now (in-flight predictions finish on it).</summary>
    public LoadedModel Previous { get; } = previous;

    /// <summary>The model served from now on.</summary>
    public LoadedModel Current { get; } = current;
}

/// <summary>A changed model file could not be loaded or validated; the previous model keeps serving.</summary>
public sealed class ModelReloadFailedEventArgs(string filePath, Exception error, LoadedModel stillServing) : EventArgs
{
    /// <summary>The model file that was read.</summary>
    public string FilePath { get; } = filePath;

    /// <summary>Why it was refused (an <see cref="InvalidModelException"/> for a corrupt file, an <see cref="ArgumentException"/> when it does not fit the pool's classes...).</summary>
    public Exception Error { get; } = error;

    /// <summary>The model that is still served.</summary>
    public LoadedModel StillServing { get; } = stillServing;
}
