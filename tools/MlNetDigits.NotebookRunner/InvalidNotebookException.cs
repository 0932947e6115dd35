namespace MlNetDigits.NotebookRunner;

/// <summary>A file that is not a notebook the runner can execute (not .ipynb JSON, or a cell for a kernel other than C#).</summary>
public sealed class InvalidNotebookException(string message, Exception? inner = null) : Exception(message, inner);
