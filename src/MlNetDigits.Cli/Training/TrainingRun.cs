using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetDigits.Cli.Rendering;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Training;

/// <summary>
/// A model just trained: the fitted chain, the input schema to save it with (that of the data it was fitted on), the
/// seconds it took, its training curves and what they are (or why there are none).
/// </summary>
internal sealed record TrainedModel(ITransformer Model, DataViewSchema InputSchema, double Seconds, IReadOnlyList<TrainingCurve> Curves, string CurvesNote);

/// <summary>
/// Trains one learner with progress shown (bars on a terminal, plain lines otherwise) and its curves recorded. The CNN
/// reports through its MetricsCallback; ML.NET's SDCA only writes messages to <c>MLContext.Log</c>, which are shown as
/// progress messages of "SdcaMaximumEntropy".
/// </summary>
internal static class TrainingRun
{
    /// <summary>The trainer name SDCA's log messages are shown under.</summary>
    public const string SdcaTrainerName = "SdcaMaximumEntropy";

    /// <param name="env">The console (its Out receives progress: pass a copy writing to stderr for --json).</param>
    /// <param name="settings">What to train.</param>
    /// <param name="train">The training split.</param>
    /// <param name="cancellationToken">Ctrl+C: the CNN stops at the next batch; SDCA is abandoned (it cannot be stopped). Either way this throws <see cref="OperationCanceledException"/>.</param>
    public static async Task<TrainedModel> TrainAsync(CliEnvironment env, LearnerSettings settings, IDataView train, CancellationToken cancellationToken)
    {
        var ml = new MLContext(settings.Seed);
        var data = train;
        var recorder = new CurveRecorder();
        var messages = new List<string>();
        var clock = Stopwatch.StartNew();
        var model = await TrainingProgressDisplay.RunAsync(env, $"training {settings.Trainer}", progress =>
        {
            void Report(TrainingProgress p)
            {
                progress.Report(p);
                recorder.Report(p);
            }

            // SDCA's messages (Info and Warning; Trace only tells of channels opening and closing). The CNN's reach ml.Log
            // too, but they are shown from its callback.
            void OnLog(object? sender, LoggingEventArgs e)
            {
                if (e.Kind == ChannelMessageKind.Trace)
                    return;
                lock (messages)
                    messages.Add(e.RawMessage);
                Report(new TrainingProgress { Trainer = SdcaTrainerName, Kind = TrainingProgressKind.Message, Elapsed = clock.Elapsed, Message = e.RawMessage });
            }

            var estimator = settings.Build(ml, Report, cancellationToken);
            if (settings.IsCnn)
                return estimator.Fit(data); // stops itself at the next batch when cancelled
            ml.Log += OnLog;
            try
            {
                // ML.NET's SDCA takes no cancellation token and MLContext.CancelExecution is internal, so on Ctrl+C the
                // command stops waiting and the abandoned training ends with the process.
                var fit = Task.Run(() => estimator.Fit(data), CancellationToken.None);
                Task.WaitAny([fit], cancellationToken);
                cancellationToken.ThrowIfCancellationRequested(); // also when Ctrl+C came as the training finished
                return fit.GetAwaiter().GetResult();
            }
            finally
            {
                ml.Log -= OnLog;
            }
        }).ConfigureAwait(false);
        var curves = recorder.ToCurves();
        var note = settings.IsCnn
            ? "Recorded during this run."
            : $"ML.NET's SdcaMaximumEntropy reports no per-iteration figures, so there is nothing to chart. Its log: {string.Join(" ", messages)}";
        return new TrainedModel(model, data.Schema, clock.Elapsed.TotalSeconds, curves, note);
    }
}
