namespace MlNetDigits.NotebookRunner;

/// <summary>
/// The globals every cell sees, as in .NET Interactive's C# kernel: <c>display(value)</c> shows a value with its richest
/// formatter and returns a handle whose <c>Update</c> replaces it.
/// </summary>
public sealed class NotebookGlobals
{
    internal Func<OutputCollector?> CurrentCollector { get; init; } = () => null;

    /// <summary>Shows <paramref name="value"/> below the cell (HTML when a formatter knows its type, plain text always).</summary>
#pragma warning disable IDE1006 // lower-case on purpose: the name .NET Interactive gives it
    public DisplayedValue display(object? value, params string[] mimeTypes)
#pragma warning restore IDE1006
    {
        var collector = CurrentCollector() ?? throw new InvalidOperationException("display() was called outside a running cell.");
        var output = collector.Add(new DisplayOutput(ValueFormatter.Format(value, mimeTypes), executionCount: null));
        return new DisplayedValue(output, mimeTypes);
    }
}
