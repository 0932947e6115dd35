namespace MlNetDigits.Transforms;

/// <summary>
/// Transforms (<c>context.Transforms</c>): each transform adds itself as an extension method in its own file, as in ML.NET.
/// </summary>
public sealed class TransformsCatalog
{
    internal TransformsCatalog(DigitsContext context) => Context = context;

    internal DigitsContext Context { get; }
}
