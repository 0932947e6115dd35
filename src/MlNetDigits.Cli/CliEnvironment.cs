namespace MlNetDigits.Cli;

/// <summary>What commands write to and depend on, so tests can run them in-process with captured output and fakes.</summary>
internal sealed class CliEnvironment
{
    /// <summary>Standard output (results, summaries, digit art).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error (failures and usage errors).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>True when <see cref="Out"/> is an interactive terminal: progress is drawn as live bars instead of plain lines.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>The width to lay out text in.</summary>
    public int Width { get; init; } = 100;

    /// <summary>Runs <c>npm pack</c>; null uses the real npm on PATH.</summary>
    public INpmRunner? Npm { get; init; }

    /// <summary>Where the Debian Fashion-MNIST package is looked for; null for the standard place.</summary>
    public string? FashionSystemFolder { get; init; }

    /// <summary>The environment of the real console.</summary>
    public static CliEnvironment ForConsole()
    {
        var terminal = !Console.IsOutputRedirected;
        var width = 100;
        if (terminal)
        {
            try
            {
                width = Math.Max(40, Console.WindowWidth);
            }
            catch (IOException)
            {
            }
        }
        return new CliEnvironment { Out = Console.Out, Error = Console.Error, IsTerminal = terminal, Width = width };
    }

    /// <summary>
    /// A copy whose standard output is <paramref name="output"/> (not a terminal): commands printing one JSON document on
    /// standard output send their progress and messages through it to standard error.
    /// </summary>
    public CliEnvironment WithOutput(TextWriter output) => new()
    {
        Out = output,
        Error = Error,
        IsTerminal = false,
        Width = Width,
        Npm = Npm,
        FashionSystemFolder = FashionSystemFolder,
    };

    /// <summary>A locator for the data root given by <c>--data-dir</c> (null: MLNETDIGITS_DATA or ./data).</summary>
    public DatasetLocator Locator(string? dataDir) => new(dataDir, FashionSystemFolder);
}
