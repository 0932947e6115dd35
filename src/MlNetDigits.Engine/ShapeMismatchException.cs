namespace MlNetDigits.Engine;

/// <summary>Thrown when a layer receives a tensor whose shape it cannot take; the message names the layer and both shapes.</summary>
public sealed class ShapeMismatchException : ArgumentException
{
    public ShapeMismatchException(string message) : base(message)
    {
    }
}
