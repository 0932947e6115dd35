namespace MlNetDigits.Model;

/// <summary>Saving and loading fitted chains as model files, and creating prediction engines (<c>context.Model</c>).</summary>
public sealed partial class ModelOperationsCatalog
{
    internal ModelOperationsCatalog(DigitsContext context) => Context = context;

    internal DigitsContext Context { get; }
}
