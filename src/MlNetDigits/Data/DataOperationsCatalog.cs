namespace MlNetDigits.Data;

/// <summary>
/// Loading, splitting, shuffling, caching and previewing data views (<c>context.Data</c>). Its operations live in the
/// partial files beside this one, one concept each.
/// </summary>
public sealed partial class DataOperationsCatalog
{
    internal DataOperationsCatalog(DigitsContext context) => Context = context;

    internal DigitsContext Context { get; }
}
