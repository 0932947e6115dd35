namespace MlNetDigits.Cli;

/// <summary>Training could not run or finish for a reason the user can fix (exit code 1, the message says what to change).</summary>
internal sealed class TrainingFailedException(string message, Exception inner) : Exception(message, inner);
