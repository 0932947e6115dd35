namespace MlNetDigits.NotebookRunner;

/// <summary>
/// How one notebook went: <see cref="Failure"/> is null when every code cell ran (and, with --check, matched the
/// committed outputs); otherwise it names the cell and says what happened and what to do.
/// </summary>
public sealed record NotebookResult(
    string Path,
    string? Failure,
    int CodeCellsRun,
    TimeSpan KernelStart,
    TimeSpan Elapsed,
    (int Number, TimeSpan Elapsed)? SlowestCell,
    bool Written)
{
    /// <summary>True when the notebook ran (and matched, with --check).</summary>
    public bool Succeeded => Failure is null;
}
