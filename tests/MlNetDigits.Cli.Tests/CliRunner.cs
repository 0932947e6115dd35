namespace MlNetDigits.Cli.Tests;

/// <summary>Runs the console host in-process with captured output.</summary>
internal static class CliRunner
{
    /// <summary>The committed sample, copied next to the test assembly.</summary>
    public static string SampleFolder { get; } = Path.Combine(AppContext.BaseDirectory, "data", "sample");

    /// <param name="args">The command line.</param>
    /// <param name="npm">Stands in for npm (default: one that refuses, so nothing is downloaded).</param>
    /// <param name="fashionSystemFolder">Where Debian's Fashion-MNIST is looked for (default: a folder that does not exist).</param>
    /// <param name="output">Receives standard output (default: a new writer).</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <param name="defaultDataRoot">The data root without --data-dir (default: a folder that does not exist, never the test's ./data).</param>
    /// <param name="error">Receives standard error (default: a new writer).</param>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(
        string[] args, INpmRunner? npm = null, string? fashionSystemFolder = null, StringWriter? output = null, CancellationToken cancellationToken = default,
        string? defaultDataRoot = null, StringWriter? error = null)
    {
        output ??= new StringWriter();
        error ??= new StringWriter();
        var env = new CliEnvironment
        {
            Out = output,
            Error = error,
            IsTerminal = false,
            Width = 100,
            Npm = npm ?? new RefusingNpm(),
            FashionSystemFolder = fashionSystemFolder ?? Path.Combine(Path.GetTempPath(), "mlnd-no-fashion-" + Guid.NewGuid().ToString("N")),
            DefaultDataRoot = defaultDataRoot ?? Path.Combine(Path.GetTempPath(), "mlnd-no-data-" + Guid.NewGuid().ToString("N")),
        };
        var code = await new CliApp(env).RunAsync(args, cancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>An npm stand-in that fails as a missing npm would, so no test can reach the network.</summary>
    public sealed class RefusingNpm : INpmRunner
    {
        public int Calls { get; private set; }

        public Task<string> PackAsync(string packageSpec, string workingDirectory, CancellationToken cancellationToken)
        {
            Calls++;
            throw new DatasetFetchException("npm was not found on PATH (test stand-in). Install Node.js with npm (sudo apt-get install npm).");
        }
    }
}

/// <summary>A temporary folder deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnd-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Copies the sample's four .gz files into <paramref name="relative"/> under this folder and returns it.</summary>
    public string WithSampleIn(string relative)
    {
        var folder = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(CliRunner.SampleFolder))
            File.Copy(file, System.IO.Path.Combine(folder, System.IO.Path.GetFileName(file)));
        return folder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
