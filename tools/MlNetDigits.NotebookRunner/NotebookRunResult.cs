namespace MlNetDigits.NotebookRunner;

/// <summary>The outcome of running a notebook.</summary>
public sealed record NotebookRunResult(IReadOnlyList<CellResult> Cells, NotebookError? Error, TimeSpan Elapsed)
{
    public bool Succeeded => Error is null;
}
