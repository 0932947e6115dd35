using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Cli.Training;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits train --trainer sdca|cnn ... --out MODEL.zip</c>: trains the standard pipeline (ML.NET's SdcaMaximumEntropy,
/// or the CNN) on the train split, saves it atomically with <c>ml.Model.Save</c> and its input schema, evaluates it on the
/// test split and writes its metrics beside it (MODEL.metrics.json), and prints them. Ctrl+C stops a CNN at the next batch;
/// its last end-of-epoch checkpoint stays and the resume command is printed.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliEnvironment env, GlobalOptions global)
    {
        var trainer = new Option<string>("--trainer") { Description = "sdca (linear, ML.NET's SdcaMaximumEntropy) or cnn (convolutional network).", Required = true };
        trainer.AcceptOnlyFromAmong([.. LearnerSettings.TrainerNames]);
        var learner = new LearnerOptions(ImageClassificationTrainer.Defaults.Preset,
            "CNN: epochs (default: the preset's). SDCA: most iterations (default: chosen from the data size, as ML.NET does).");
        var data = new Option<string>("--data") { Description = DatasetArguments.Description, DefaultValueFactory = _ => "mnist", HelpName = DatasetArguments.HelpName };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "CNN: folder for a checkpoint after every epoch (default: MODEL.checkpoint next to --out, removed after a successful run).",
            HelpName = "DIR",
        };
        var resume = new Option<string?>("--resume") { Description = "CNN: continue from a checkpoint folder (or checkpoint.zip) written with the same options.", HelpName = "DIR" };
        var output = new Option<string>("--out") { Description = "Where to save the model (a .zip); its test metrics go to MODEL.metrics.json.", Required = true, HelpName = "MODEL.zip" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with the metrics on stdout (progress goes to stderr)." };

        var command = new Command("train", "Train a digit classifier, evaluate it on the test split and save it.") { trainer, data };
        learner.AddTo(command);
        command.Options.Add(checkpoint);
        command.Options.Add(resume);
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () =>
        {
            var settings = learner.Read(parse, parse.GetValue(trainer)!) with
            {
                CheckpointDirectory = parse.GetValue(checkpoint),
                ResumeFrom = parse.GetValue(resume),
            };
            return RunAsync(env, env.Locator(parse.GetValue(global.DataDir)), settings, parse.GetValue(data)!, parse.GetValue(output)!,
                parse.GetValue(json), parse.GetResult(learner.Seed) is not null, cancellationToken);
        }));
        return command;
    }

    /// <summary>MODEL.metrics.json for MODEL.zip.</summary>
    public static string MetricsPath(string modelPath) => Path.ChangeExtension(modelPath, ".metrics.json");

    private static async Task<int> RunAsync(CliEnvironment env, DatasetLocator locator, LearnerSettings settings, string dataName, string outPath,
        bool json, bool seedGiven, CancellationToken cancellationToken)
    {
        settings.Validate();
        if (string.IsNullOrWhiteSpace(outPath))
            throw new UsageException("--out needs a file name, e.g. --out models/cnn.zip.");
        if (Directory.Exists(outPath))
            throw new UsageException($"--out '{outPath}' is a folder; give the model file's name, e.g. {Path.Combine(outPath, settings.Trainer + ".zip")}.");
        if (settings.ResumeFrom is { } resumeFrom && !File.Exists(TrainingCheckpoint.Resolve(resumeFrom)))
            throw new FileNotFoundException($"No checkpoint to resume from at '{TrainingCheckpoint.Resolve(resumeFrom)}'. Pass the folder given to --checkpoint (holding {TrainingCheckpoint.FileName}).");

        var log = json ? env.WithOutput(env.Error) : env;
        var defaultCheckpoint = settings.IsCnn && settings.CheckpointDirectory is null;
        if (defaultCheckpoint)
            settings = settings with { CheckpointDirectory = Path.ChangeExtension(Path.GetFullPath(outPath), ".checkpoint") };

        var dataset = await DatasetArguments.EnsureAvailableAsync(log, locator, dataName, DatasetSplit.Train, cancellationToken).ConfigureAwait(false);
        dataset = await DatasetArguments.EnsureAvailableAsync(log, locator, dataName, DatasetSplit.Test, cancellationToken).ConfigureAwait(false);
        var ml = new MLContext(settings.Seed);
        var train = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Train);
        var test = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Test);

        await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Training {settings.Description} on {dataset.Description} ({train.GetRowCount():N0} images), seed {settings.Seed}{(seedGiven ? "" : " (random; pass --seed to repeat)")}.")).ConfigureAwait(false);
        TrainedModel trained;
        try
        {
            trained = await TrainingRun.TrainAsync(log, settings, train, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await WriteStoppedAsync(env, settings, dataName, outPath, defaultCheckpoint).ConfigureAwait(false);
            return CliApp.Failure;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            // A checkpoint from other settings, a diverging learning rate...: the trainer's message says what to change.
            throw new TrainingFailedException(e.Message, e);
        }

        AtomicFile.Write(outPath, stream => ml.Model.Save(trained.Model, trained.InputSchema, stream));
        await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Trained in {ReportWriter.Seconds(trained.Seconds)}; saved {outPath} ({ReportWriter.Bytes(new FileInfo(outPath).Length)}). Evaluating on the test split ({test.GetRowCount():N0} images)...")).ConfigureAwait(false);

        var result = ModelAssessment.Assess(trained.Model, test, $"{dataset.Description}, test split",
            new ModelAssessment.ModelFacts(settings.Trainer, settings.Description, outPath, trained.Seconds, settings.Seed, trained.Curves, trained.CurvesNote),
            cancellationToken);
        var document = MetricsJson.Write(MetricsJson.ToJson(result));
        AtomicFile.WriteAllText(MetricsPath(outPath), document);
        if (defaultCheckpoint && Directory.Exists(settings.CheckpointDirectory))
            Directory.Delete(settings.CheckpointDirectory!, recursive: true);

        if (json)
        {
            await env.Out.WriteLineAsync(document).ConfigureAwait(false);
            return CliApp.Success;
        }
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        await env.Out.WriteAsync(MetricsText.Render(result.Evaluation)).ConfigureAwait(false);
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Training time {ReportWriter.Seconds(result.TrainSeconds!.Value)}, single-image latency {ReportWriter.Latency(result.LatencyMicroseconds ?? double.NaN)}, model {ReportWriter.Bytes(result.ModelBytes ?? 0)}.")).ConfigureAwait(false);
        await env.Out.WriteLineAsync($"Model: {outPath}").ConfigureAwait(false);
        await env.Out.WriteLineAsync($"Metrics: {MetricsPath(outPath)}").ConfigureAwait(false);
        return CliApp.Success;
    }

    /// <summary>After Ctrl+C: what was kept and the exact command that continues the run.</summary>
    private static async Task WriteStoppedAsync(CliEnvironment env, LearnerSettings settings, string dataName, string outPath, bool defaultCheckpoint)
    {
        await env.Error.WriteLineAsync("mlnetdigits: training stopped (Ctrl+C); no model was saved.").ConfigureAwait(false);
        var file = settings.CheckpointDirectory is { } dir ? Path.Combine(dir, TrainingCheckpoint.FileName) : null;
        if (!settings.IsCnn || file is null || !File.Exists(file))
        {
            await env.Error.WriteLineAsync(settings.IsCnn
                ? "No epoch had finished, so there is no checkpoint to resume from; run the same command again."
                : "SDCA keeps no checkpoints; run the same command again.").ConfigureAwait(false);
            return;
        }
        var epoch = TrainingCheckpoint.Load(file).Epoch;
        var folder = settings.CheckpointDirectory!;
        var args = new List<string> { "mlnetdigits", "train", "--trainer", "cnn", "--preset", settings.Preset };
        if (settings.Epochs is { } e)
            args.AddRange(["--epochs", e.ToString(CultureInfo.InvariantCulture)]);
        if (settings.Optimizer is { } o)
            args.AddRange(["--optimizer", o]);
        args.AddRange(["--data", dataName, "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture)]);
        if (settings.Threads is { } t)
            args.AddRange(["--threads", t.ToString(CultureInfo.InvariantCulture)]);
        if (settings.Backend is { } b)
            args.AddRange(["--backend", b]);
        if (!defaultCheckpoint)
            args.AddRange(["--checkpoint", folder]);
        args.AddRange(["--resume", folder, "--out", outPath]);
        await env.Error.WriteLineAsync($"The checkpoint after epoch {epoch} is in {folder}. Resume with:").ConfigureAwait(false);
        await env.Error.WriteLineAsync("  " + string.Join(' ', args.Select(Quote))).ConfigureAwait(false);
    }

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:+,@".Contains(c)) ? arg : $"'{arg.Replace("'", "'\\''")}'";
}
