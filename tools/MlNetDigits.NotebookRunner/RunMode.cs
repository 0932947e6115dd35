namespace MlNetDigits.NotebookRunner;

/// <summary>What the runner does with a notebook once its code cells have run.</summary>
public enum RunMode
{
    /// <summary>Only run: fail on a cell error, compare and write nothing.</summary>
    Run,

    /// <summary>Write the new outputs back into the .ipynb (committed outputs that match after masking are kept).</summary>
    Write,

    /// <summary>Write nothing; fail when a cell's outputs differ from the committed ones after masking (CI).</summary>
    Check,
}
