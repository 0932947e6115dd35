using System.Runtime.InteropServices;

namespace MlNetDigits.Cli;

/// <summary>
/// The <c>mlnetdigits</c> console host: parses the command line and runs one command (see <see cref="CliApp"/>). The first
/// Ctrl+C or SIGTERM cancels the command's token, so training stops cleanly, keeps its checkpoint and says how to resume;
/// a second one ends the process at once.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested)
                return; // the second Ctrl+C ends the process
            e.Cancel = true;
            Console.Error.WriteLine("mlnetdigits: stopping (press Ctrl+C again to quit at once)...");
            cancel.Cancel();
        };
        // A service manager, `timeout` or `kill` sends SIGTERM: stop as for Ctrl+C instead of vanishing without a word.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            if (cancel.IsCancellationRequested)
                return; // the second SIGTERM ends the process
            context.Cancel = true;
            Console.Error.WriteLine("mlnetdigits: SIGTERM received; stopping as for Ctrl+C (send it again to quit at once)...");
            cancel.Cancel();
        });
        return await new CliApp(CliEnvironment.ForConsole()).RunAsync(args, cancel.Token).ConfigureAwait(false);
    }
}
