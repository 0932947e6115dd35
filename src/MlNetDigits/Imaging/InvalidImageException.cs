namespace MlNetDigits;

/// <summary>
/// An image cannot be read: a bad signature, a truncated or corrupt file, a failed checksum, an unsupported format,
/// dimensions over the limit, or compressed data that inflates to a size other than the header declares.
/// </summary>
public sealed class InvalidImageException : Exception
{
    public InvalidImageException(string message) : base(message) { }

    public InvalidImageException(string message, Exception inner) : base(message, inner) { }
}
