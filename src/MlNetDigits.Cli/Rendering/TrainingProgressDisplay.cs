using System.Globalization;
using Spectre.Console;

namespace MlNetDigits.Cli.Rendering;

/// <summary>
/// Shows training progress: live Spectre.Console bars for epochs and batches on a terminal, plain lines (one per report)
/// when output is redirected.
/// </summary>
internal static class TrainingProgressDisplay
{
    /// <summary>Runs <paramref name="work"/> (on a worker thread), showing the progress it reports.</summary>
    /// <param name="env">The console: live bars on its Out when that is a terminal, else plain lines there (for --json, a copy writing to stderr).</param>
    /// <param name="title">What is being trained, e.g. "training cnn".</param>
    /// <param name="work">The training, given the progress sink.</param>
    public static async Task<T> RunAsync<T>(CliEnvironment env, string title, Func<IProgress<TrainingProgress>, T> work)
    {
        if (!env.IsTerminal)
        {
            var plain = new SyncProgress<TrainingProgress>(p => env.Out.WriteLine($"  {p}"));
            return await Task.Run(() => work(plain)).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(env.Out) });
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var epochs = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                epochs.IsIndeterminate = true;
                ProgressTask? batches = null;
                var live = new SyncProgress<TrainingProgress>(p =>
                {
                    switch (p.Kind)
                    {
                        case TrainingProgressKind.Message:
                            console.MarkupLine(Markup.Escape($"  {p}"));
                            break;
                        case TrainingProgressKind.Batch when p.TotalBatches is { } total && p.Batch is { } batch:
                            batches ??= ctx.AddTask("batches", maxValue: total);
                            batches.MaxValue = total;
                            batches.Value = batch;
                            batches.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                $"epoch {p.Epoch} batch {batch}/{total}{Figure(p, "loss", " loss")}{Figure(p, "accuracy", " acc")}"));
                            if (p.TotalEpochs is { } te)
                            {
                                epochs.IsIndeterminate = false;
                                epochs.MaxValue = te;
                                epochs.Value = p.Epoch - 1 + (double)batch / total;
                            }
                            break;
                        case TrainingProgressKind.Epoch:
                            console.MarkupLine(Markup.Escape($"  {p}"));
                            if (p.TotalEpochs is { } epochTotal)
                            {
                                epochs.IsIndeterminate = false;
                                epochs.MaxValue = epochTotal;
                                epochs.Value = p.Epoch;
                                epochs.Description = Markup.Escape($"{title}: epoch {p.Epoch}/{epochTotal}");
                            }
                            break;
                    }
                });
                try
                {
                    result = await Task.Run(() => work(live)).ConfigureAwait(false);
                    epochs.IsIndeterminate = false;
                    epochs.Value = epochs.MaxValue;
                    if (batches is not null)
                        batches.Value = batches.MaxValue;
                }
                finally
                {
                    epochs.IsIndeterminate = false;
                    epochs.StopTask();
                    batches?.StopTask();
                }
            }).ConfigureAwait(false);
        return result;
    }

    private static string Figure(TrainingProgress p, string name, string caption) =>
        p.Metrics.TryGetValue(name, out var v) ? string.Create(CultureInfo.InvariantCulture, $"{caption} {v:0.0000}") : "";

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, in order (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock)
                report(value);
        }
    }
}
