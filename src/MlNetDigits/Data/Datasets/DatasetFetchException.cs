namespace MlNetDigits;

/// <summary>
/// A data set could not be obtained: npm is missing or failed, a download did not match its pinned checksum, an archive
/// held an unsafe path, or a system package is not installed. The message says what happened and what to do.
/// </summary>
public sealed class DatasetFetchException : Exception
{
    public DatasetFetchException(string message) : base(message) { }

    public DatasetFetchException(string message, Exception inner) : base(message, inner) { }
}
