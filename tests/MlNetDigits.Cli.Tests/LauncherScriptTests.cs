using System.Diagnostics;

namespace MlNetDigits.Cli.Tests;

/// <summary>
/// The <c>./mlnetdigits</c> launcher at the repository root, run on a copy of it in a scratch tree with a stand-in
/// <c>dotnet</c> first on PATH (it "builds" by creating the output and "runs" by echoing its arguments).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // a bash script
public sealed class LauncherScriptTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Launcher_SaysOnStderrWhenItBuildsAndStaysQuietWhenNothingChanged()
    {
        var root = Directory.CreateDirectory(Path.Combine(_temp.Path, "checkout")).FullName;
        File.Copy(Path.Combine(RepositoryRoot(), "mlnetdigits"), Path.Combine(root, "mlnetdigits"));
        var source = Path.Combine(root, "src", "MlNetDigits.Cli", "Program.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        File.WriteAllText(source, "// the console host");
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddHours(-1));
        var bin = Directory.CreateDirectory(Path.Combine(_temp.Path, "bin")).FullName;
        var dotnet = Path.Combine(bin, "dotnet");
        File.WriteAllText(dotnet, """
            #!/bin/sh
            if [ "$1" = build ]; then
              out="$(dirname "$2")/bin/Release/net10.0"
              mkdir -p "$out" && touch "$out/MlNetDigits.Cli.dll"
              exit 0
            fi
            shift
            echo "ran $*"
            """.Replace("\r", ""));
        File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var first = await RunAsync(root, bin, "--help");
        var second = await RunAsync(root, bin, "--version");
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddHours(1));
        var afterEdit = await RunAsync(root, bin, "--version");

        Assert.Equal((0, "ran --help\n", "mlnetdigits: building the console host (first run, ~40 s)...\n"), first);
        Assert.Equal((0, "ran --version\n", ""), second);
        Assert.Equal((0, "ran --version\n", "mlnetdigits: rebuilding the console host (its sources changed)...\n"), afterEdit);
    }

    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(string root, string fakeBin, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "mlnetdigits"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["PATH"] = fakeBin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The checkout this test assembly was built in: the first folder above it holding MlNetDigits.sln.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetDigits.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"No MlNetDigits.sln above {AppContext.BaseDirectory}.");
    }
}
