namespace MlNetDigits.NotebookRunner;

/// <summary>The error that stopped a notebook: where (cell, and line within the cell when known) and what.</summary>
public sealed record NotebookError(int CellNumber, int? Line, string Name, string Message, IReadOnlyList<string> Traceback)
{
    public override string ToString() =>
        $"cell {CellNumber}{(Line is { } l ? $", line {l}" : "")}: {Name}: {Message}";
}
