namespace MlNetDigits.NotebookRunner;

/// <summary>A notebook-only directive the runner cannot honour, at a line of the cell.</summary>
internal sealed class NotebookCellException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}
