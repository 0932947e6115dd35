namespace MlNetDigits.Cli;

/// <summary>The <c>mlnetdigits</c> console host: parses the command line and runs one command (see <see cref="CliApp"/>).</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => new CliApp(CliEnvironment.ForConsole()).RunAsync(args);
}
