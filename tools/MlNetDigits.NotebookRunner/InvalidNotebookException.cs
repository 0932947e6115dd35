namespace MlNetDigits.NotebookRunner;

/// <summary>The file is not a notebook the runner can read (not JSON, not nbformat 4, no cells).</summary>
public sealed class InvalidNotebookException(string message) : Exception(message);
