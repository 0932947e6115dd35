namespace MlNetDigits;

/// <summary>A model file cannot be used: not a zip, not an ML.NET model, corrupt, too large, or giving unusable output.</summary>
public sealed class InvalidModelException : Exception
{
    public InvalidModelException(string message) : base(message) { }

    public InvalidModelException(string message, Exception inner) : base(message, inner) { }
}
