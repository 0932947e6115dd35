using System.CommandLine;

namespace MlNetDigits.Cli;

/// <summary>Options every command accepts.</summary>
internal sealed class GlobalOptions
{
    /// <summary><c>--data-dir</c>: the data root (default: MLNETDIGITS_DATA, else ./data).</summary>
    public Option<string?> DataDir { get; } = new("--data-dir")
    {
        Description = "Folder holding the data sets (default: $MLNETDIGITS_DATA, else ./data). MNIST is downloaded automatically " +
                      "only into the default folder; for another one, run `mlnetdigits data fetch --data-dir DIR` first.",
        HelpName = "DIR",
        Recursive = true,
    };
}
