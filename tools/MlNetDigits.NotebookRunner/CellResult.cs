namespace MlNetDigits.NotebookRunner;

/// <summary>What one code cell produced; <see cref="CellNumber"/> is its 1-based position among all cells (markdown included).</summary>
public sealed record CellResult(int CellNumber, IReadOnlyList<CellOutput> Outputs, TimeSpan Elapsed);
