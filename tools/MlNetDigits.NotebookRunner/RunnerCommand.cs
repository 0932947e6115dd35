using System.Diagnostics;
using System.Globalization;

namespace MlNetDigits.NotebookRunner;

/// <summary>The command line: <c>run [--write | --check] NOTEBOOK...</c>; reports each notebook and returns the exit code.</summary>
public static class RunnerCommand
{
    public const string Usage = $"""
        Usage: MlNetDigits.NotebookRunner run [--write | --check] NOTEBOOK.ipynb...

        Executes every C# code cell of each notebook in order, in one fresh .NET Interactive C# kernel per notebook (as
        VS Code's Polyglot Notebooks does; given several notebooks, each runs in a process of its own, so packages,
        formatters and static state do not leak from one into the next), with the notebook's folder as the working
        directory and the invariant culture. #r "nuget: ..." and
        #i "nuget: <absolute folder or URL>" restore packages; display(...) and a cell's last expression are formatted by
        .NET Interactive's formatters. A cell error stops that notebook and fails the run, naming the notebook, the
        cell (numbered from 1, markdown cells included) and the error.

          (no option)  run only: nothing is compared or written
          --write      write the outputs back into the .ipynb (a cell whose new outputs match the committed ones
                       after masking keeps the committed ones, so a re-run does not change the file for nothing);
                       a notebook with a failing cell is left untouched
          --check      write nothing; fail when a cell's outputs differ from the committed ones, and print a short
                       unified diff of the first difference (what CI runs)
          -h, --help   show this help

        Before comparing, timings are masked: a number followed by s, sec, seconds, ms, µs, us, ns or min, a rate
        ending in /s (images/s, req/s, /s), and hh:mm:ss TimeSpans; nothing else. A cell whose outputs legitimately
        vary otherwise (a random value, the clock, a folder of this machine such as a local package feed) is exempt
        when one of its lines starts with '{OutputNormalizer.VaryMarker}'; it must still run without error.

        Exit codes: 0 every notebook ran (and matched, with --check), 1 a notebook failed, 2 bad usage.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args is ["-h" or "--help"] || (args.Length > 0 && args[0] == "run" && args.Skip(1).Any(a => a is "-h" or "--help")))
        {
            stdout.WriteLine(Usage);
            return 0;
        }
        if (args.Length == 0 || args[0] != "run")
            return UsageError(stderr, args.Length == 0 ? "Give a command: run." : $"Unknown command '{args[0]}': expected 'run'.");

        var mode = RunMode.Run;
        var notebooks = new List<string>();
        foreach (var arg in args.Skip(1))
        {
            switch (arg)
            {
                case "--write" or "--check":
                    var wanted = arg == "--write" ? RunMode.Write : RunMode.Check;
                    if (mode != RunMode.Run && mode != wanted)
                        return UsageError(stderr, "--write and --check exclude each other: --check writes nothing.");
                    mode = wanted;
                    break;
                case var option when option.StartsWith('-'):
                    return UsageError(stderr, $"Unknown option '{option}': expected --write, --check or --help.");
                default:
                    notebooks.Add(arg);
                    break;
            }
        }
        if (notebooks.Count == 0)
            return UsageError(stderr, "Give at least one notebook (.ipynb).");
        foreach (var notebook in notebooks)
        {
            if (!notebook.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase))
                return UsageError(stderr, $"'{notebook}' is not a notebook: expected a .ipynb file.");
            if (!File.Exists(notebook))
                return UsageError(stderr, $"'{notebook}' does not exist (working directory: {Directory.GetCurrentDirectory()}).");
        }

        if (notebooks.Count == 1)
        {
            var result = await NotebookExecutor.RunAsync(notebooks[0], mode).ConfigureAwait(false);
            (result.Succeeded ? stdout : stderr).WriteLine(result.Succeeded ? Summary(result, mode) : result.Failure);
            return result.Succeeded ? 0 : 1;
        }

        int failed = 0;
        foreach (var notebook in notebooks)
        {
            int code = await RunInChildProcessAsync(notebook, mode, stdout, stderr).ConfigureAwait(false);
            if (code != 0)
                failed++;
        }
        (failed == 0 ? stdout : stderr).WriteLine($"notebooks: {notebooks.Count - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Runs <c>run [mode] NOTEBOOK</c> in a new process of this program, relaying what it prints; returns its exit code.</summary>
    private static async Task<int> RunInChildProcessAsync(string notebook, RunMode mode, TextWriter stdout, TextWriter stderr)
    {
        var host = Environment.ProcessPath
            ?? throw new InvalidOperationException("The runner cannot find its own executable to run a notebook in a new process.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(typeof(RunnerCommand).Assembly.Location);
        start.ArgumentList.Add("run");
        if (mode != RunMode.Run)
            start.ArgumentList.Add(mode == RunMode.Write ? "--write" : "--check");
        start.ArgumentList.Add(notebook);

        using var child = Process.Start(start)
            ?? throw new InvalidOperationException($"The runner could not start a process for {notebook}.");
        var output = Relay(child.StandardOutput, stdout);
        var errors = Relay(child.StandardError, stderr);
        await child.WaitForExitAsync().ConfigureAwait(false);
        await Task.WhenAll(output, errors).ConfigureAwait(false);
        return child.ExitCode;

        static async Task Relay(StreamReader from, TextWriter to)
        {
            while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (to)
                    to.WriteLine(line);
            }
        }
    }

    private static string Summary(NotebookResult result, RunMode mode)
    {
        static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        var outcome = mode switch
        {
            RunMode.Check => "outputs match the committed ones",
            RunMode.Write => result.Written ? "outputs written" : "outputs unchanged",
            _ => "ran",
        };
        var slowest = result.SlowestCell is var (number, elapsed) ? $", slowest cell {number}: {Seconds(elapsed)}" : "";
        return $"{result.Path}: {result.CodeCellsRun} code cells in {Seconds(result.Elapsed)} " +
               $"(kernel start {Seconds(result.KernelStart)}{slowest}); {outcome}";
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        stderr.WriteLine();
        stderr.WriteLine(Usage);
        return 2;
    }
}
