using Microsoft.DotNet.Interactive.Documents;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// What one code cell produced, in the order VS Code shows it: streams, displayed values, the return value; and the
/// error that stopped it, if any (<see cref="Failure"/> is then its message, compiler diagnostics included).
/// </summary>
public sealed record CellRun(IReadOnlyList<InteractiveDocumentOutputElement> Outputs, string? Failure, TimeSpan Elapsed)
{
    /// <summary>True when the cell ran to the end.</summary>
    public bool Succeeded => Failure is null;
}
