namespace MlNetDigits;

/// <summary>
/// A data file cannot be read: wrong magic number, unsupported element type, bad dimensions, truncated or followed by
/// extra bytes, or inconsistent with its companion file. The message names the file, what was expected and what was found.
/// </summary>
public sealed class InvalidDataFileException : IOException
{
    public InvalidDataFileException(string filePath, string message)
        : base($"{filePath}: {message}") => FilePath = filePath;

    public InvalidDataFileException(string filePath, string message, Exception inner)
        : base($"{filePath}: {message}", inner) => FilePath = filePath;

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
}
