using Spectre.Console;

namespace MlNetDigits.Cli.Rendering;

/// <summary>
/// Shows fetch progress: a live Spectre.Console bar on a terminal, plain lines (one per step) when output is redirected.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, showing the progress it reports.</summary>
    public static async Task<T> RunAsync<T>(CliEnvironment env, string title, Func<IProgress<FetchProgress>, Task<T>> work)
    {
        if (!env.IsTerminal)
        {
            string? last = null;
            var plain = new SyncProgress<FetchProgress>(p =>
            {
                if (p.Message == last)
                    return;
                last = p.Message;
                env.Out.WriteLine($"  {p.Message}");
            });
            return await work(plain).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(env.Out) });
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                task.IsIndeterminate = true;
                var live = new SyncProgress<FetchProgress>(p =>
                {
                    task.Description = Markup.Escape(p.Message);
                    if (p.Fraction is { } f)
                    {
                        task.IsIndeterminate = false;
                        task.Value = f;
                    }
                    else
                    {
                        task.IsIndeterminate = true;
                    }
                });
                try
                {
                    result = await work(live).ConfigureAwait(false);
                }
                finally
                {
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        return result;
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, in order (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
