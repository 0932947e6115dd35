namespace MlNetDigits.Cli;

/// <summary>The command line is well-formed but asks for something invalid (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
