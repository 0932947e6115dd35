namespace MlNetDigits.Model;

/// <summary>A model file cannot be read: corrupt, truncated, from a newer version, or holding an unsafe path.</summary>
public sealed class InvalidModelException : Exception
{
    public InvalidModelException(string message) : base(message) { }

    public InvalidModelException(string message, Exception inner) : base(message, inner) { }
}
