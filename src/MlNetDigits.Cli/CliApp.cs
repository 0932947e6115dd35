using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using MlNetDigits.Cli.Commands;

namespace MlNetDigits.Cli;

/// <summary>
/// Builds the command tree (one file per command under Commands/) and runs it with the exit-code policy:
/// 0 success, 1 failure (a message on stderr, no stack trace), 2 bad usage.
/// </summary>
internal sealed class CliApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    private readonly CliEnvironment _env;

    public CliApp(CliEnvironment env)
    {
        _env = env;
        var global = new GlobalOptions();
        // A plain command rather than RootCommand, so help says "mlnetdigits" whatever the assembly is called.
        Root = new Command("mlnetdigits", "Fetch MNIST-style data, train, evaluate, compare and export digit classifiers.");
        Root.Options.Add(new HelpOption());
        Root.Options.Add(new VersionOption());
        Root.Options.Add(global.DataDir);
        Root.Subcommands.Add(DataCommands.Create(env, global));
        Root.Subcommands.Add(TrainCommand.Create(env, global));
        Root.Subcommands.Add(EvaluateCommand.Create(env, global));
        Root.Subcommands.Add(CompareCommand.Create(env, global));
        Root.Subcommands.Add(PredictCommand.Create(env));
        Root.Subcommands.Add(ExportCommand.Create(env));
    }

    /// <summary>The command tree.</summary>
    public Command Root { get; }

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = Root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
                await _env.Error.WriteLineAsync($"mlnetdigits: {error.Message}").ConfigureAwait(false);
            var command = string.Join(' ', CommandPath(parse.CommandResult));
            await _env.Error.WriteLineAsync($"Run '{command} --help' for usage.").ConfigureAwait(false);
            return BadUsage;
        }
        // Ctrl+C is turned into cancellationToken by Program (Console.CancelKeyPress), so System.CommandLine installs no handler of its own.
        var config = new InvocationConfiguration
        {
            Output = _env.Out,
            Error = _env.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command body with the error policy: known failures print their message and give exit code 1 (or 2 for usage).</summary>
    public static async Task<int> Guard(CliEnvironment env, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: {e.Message}").ConfigureAwait(false);
            return BadUsage;
        }
        catch (OperationCanceledException)
        {
            await env.Error.WriteLineAsync("mlnetdigits: cancelled.").ConfigureAwait(false);
            return Failure;
        }
        catch (Exception e) when (e is DatasetFetchException or InvalidDataFileException or IOException or UnauthorizedAccessException
            or InvalidDataException or InvalidModelException or InvalidImageException or TrainingFailedException or Engine.Backends.BackendUnavailableException)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: {e.Message}").ConfigureAwait(false);
            return Failure;
        }
        catch (Exception e)
        {
            // Unexpected: still no stack trace unless asked for.
            var details = Environment.GetEnvironmentVariable("MLNETDIGITS_DEBUG") == "1" ? Environment.NewLine + e : " (set MLNETDIGITS_DEBUG=1 for details)";
            await env.Error.WriteLineAsync($"mlnetdigits: unexpected error: {e.GetType().Name}: {e.Message}{details}").ConfigureAwait(false);
            return Failure;
        }
    }

    /// <summary>The names from the root down to the command that was being parsed, e.g. ["mlnetdigits", "data", "show"].</summary>
    private static List<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var path = new List<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            path.Insert(0, r.Command.Name);
        return path;
    }
}
