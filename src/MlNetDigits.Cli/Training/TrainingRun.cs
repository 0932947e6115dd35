using System.Diagnostics;
using MlNetDigits.Cli.Rendering;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Cli.Training;

/// <summary>A model just trained: the fitted chain, the seconds it took and its training curves.</summary>
internal sealed record TrainedModel(ITransformer Model, double Seconds, IReadOnlyList<TrainingCurve> Curves);

/// <summary>Trains one learner with progress shown (bars on a terminal, plain lines otherwise) and its curves recorded.</summary>
internal static class TrainingRun
{
    /// <param name="env">The console (its Out receives progress: pass a copy writing to stderr for --json).</param>
    /// <param name="settings">What to train.</param>
    /// <param name="train">The training split.</param>
    /// <param name="cancellationToken">Ctrl+C: training stops at the next batch (CNN) or iteration (SDCA) and throws.</param>
    public static async Task<TrainedModel> TrainAsync(CliEnvironment env, LearnerSettings settings, IDataView train, CancellationToken cancellationToken)
    {
        var context = new DigitsContext(settings.Seed);
        var estimator = settings.Build(context);
        var recorder = new CurveRecorder();
        var clock = Stopwatch.StartNew();
        var model = await TrainingProgressDisplay.RunAsync(env, $"training {settings.Trainer}",
            progress => estimator.Fit(train, new Both(progress, recorder), cancellationToken)).ConfigureAwait(false);
        return new TrainedModel(model, clock.Elapsed.TotalSeconds, recorder.ToCurves());
    }

    private sealed class Both(IProgress<TrainingProgress> first, IProgress<TrainingProgress> second) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            first.Report(value);
            second.Report(value);
        }
    }
}
