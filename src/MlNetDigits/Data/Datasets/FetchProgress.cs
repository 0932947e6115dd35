namespace MlNetDigits;

/// <summary>One progress report of a fetch: a message, and when known how many bytes of how many are done.</summary>
/// <param name="Message">What is happening, e.g. "extracting train-images-idx3-ubyte".</param>
/// <param name="Done">Bytes done so far in this step, or null when unknown.</param>
/// <param name="Total">Bytes this step will take, or null when unknown.</param>
public sealed record FetchProgress(string Message, long? Done = null, long? Total = null)
{
    /// <summary>Done / Total in [0, 1], or null when either is unknown.</summary>
    public double? Fraction => Done is { } d && Total is { } t && t > 0 ? Math.Clamp((double)d / t, 0, 1) : null;
}
