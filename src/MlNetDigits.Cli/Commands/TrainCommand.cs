using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.ML;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Cli.Training;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// What a <c>train</c> command line asks for: the learner and its settings, the data, where the model goes and how the
/// run reports. Two requests that are equal train the same model into the same file.
/// </summary>
/// <param name="Settings">The learner (the seed drawn when <c>--seed</c> was not given).</param>
/// <param name="DataName">The <c>--data</c> value: a data set name or a folder.</param>
/// <param name="DataDir">The <c>--data-dir</c> value; null for the default data root.</param>
/// <param name="OutPath">The <c>--out</c> model file.</param>
/// <param name="Json">Print one JSON document on stdout.</param>
/// <param name="Force">Replace an existing <paramref name="OutPath"/>.</param>
/// <param name="SeedGiven">Whether <c>--seed</c> was given.</param>
/// <param name="FineTune">With <c>--corrections</c>: what to fine-tune from and on; null for a run from scratch.</param>
internal sealed record TrainRequest(LearnerSettings Settings, string DataName, string? DataDir, string OutPath, bool Json, bool Force, bool SeedGiven,
    FineTuneRequest? FineTune = null);

/// <summary>What <c>train --corrections</c> adds to a request: the corrections, the model to start from and the safeguards.</summary>
/// <param name="Corrections">The corrections database (SQLite, written by CorrectionStore).</param>
/// <param name="InitialModel">The <c>--model</c> value (a file or a shipped model's name); null for <see cref="FineTuneRun.Defaults.InitialModel"/>.</param>
/// <param name="Repeat">How many times each correction is repeated among the training images; null: chosen from their number.</param>
/// <param name="MaxTestDrop">The most the test accuracy may fall, in percentage points, for the model to be saved as <c>--out</c>.</param>
/// <param name="PresetGiven">Whether <c>--preset</c> was given (else the initial model's own preset is used).</param>
internal sealed record FineTuneRequest(string Corrections, string? InitialModel, int? Repeat, double MaxTestDrop, bool PresetGiven);

/// <summary>
/// <c>mlnetdigits train --trainer sdca|cnn ... --out MODEL.zip</c>: trains the standard pipeline (ML.NET's SdcaMaximumEntropy,
/// or the CNN) on the train split, saves it atomically with <c>ml.Model.Save</c> and its input schema, evaluates it on the
/// test split and writes its metrics beside it (MODEL.metrics.json), and prints them. An existing MODEL.zip is kept unless
/// <c>--force</c> is given. Ctrl+C (or SIGTERM) stops a CNN at the next batch; its last end-of-epoch checkpoint stays and
/// the command that resumes the run, every option included, is printed.
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
        var output = new Option<string>("--out")
        {
            Description = "Where to save the model (a .zip, e.g. my-cnn.zip); its test metrics go to MODEL.metrics.json. An existing file is kept unless --force is given.",
            Required = true,
            HelpName = "MODEL.zip",
        };
        var force = new Option<bool>("--force") { Description = "Replace MODEL.zip (and MODEL.metrics.json) when it exists." };
        var learningRate = new Option<double?>("--learning-rate")
        {
            Description = "CNN: the (peak) learning rate (default: the preset's; with --corrections a tenth of it).",
            HelpName = "LR",
        };
        var augmentation = new Option<string?>("--augmentation")
        {
            Description = "CNN: on or off: random affine maps of the training images (default: the preset's; with --corrections on).",
            HelpName = "on|off",
        };
        augmentation.AcceptOnlyFromAmong("on", "off");
        var corrections = new Option<string?>("--corrections")
        {
            Description = "CNN: fine-tune --model (the CNN given) on the training split plus the corrections in this SQLite database (written by CorrectionStore; oversampled and augmented), " +
                          "then report accuracy on the corrections and on the test split before and after.",
            HelpName = "DB",
        };
        var initialModel = new Option<string?>("--model", "--initial-model")
        {
            Description = $"With --corrections: the CNN to fine-tune, a file or a shipped model's name (default: {FineTuneRun.Defaults.InitialModel}, i.e. models/cnn-best.zip). It is never overwritten: --out must name another file.",
            HelpName = "MODEL.zip",
        };
        var repeat = new Option<int?>("--repeat")
        {
            Description = $"With --corrections: how many times each correction is repeated among the training images (default: enough for them to be about {FineTuneRun.Defaults.CorrectionShare:P0} of the rows, 1 to {FineTuneRun.Defaults.MaxRepeat}).",
            HelpName = "N",
        };
        var maxTestDrop = new Option<double>("--max-test-drop")
        {
            Description = "With --corrections: the most the test accuracy may fall, in percentage points; a model that falls further is saved as MODEL.rejected.zip instead and the command fails.",
            DefaultValueFactory = _ => FineTuneRun.Defaults.MaxTestDropPoints,
            HelpName = "POINTS",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with the metrics on stdout (progress goes to stderr)." };

        var command = new Command("train", "Train a digit classifier, evaluate it on the test split and save it.") { trainer, data };
        learner.AddTo(command);
        command.Options.Add(checkpoint);
        command.Options.Add(resume);
        command.Options.Add(output);
        command.Options.Add(force);
        command.Options.Add(json);
        command.Options.Add(learningRate);
        command.Options.Add(augmentation);
        command.Options.Add(corrections);
        command.Options.Add(initialModel);
        command.Options.Add(repeat);
        command.Options.Add(maxTestDrop);
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () => RunAsync(env, Read(parse), cancellationToken)));
        return command;
    }

    /// <summary>The request of a parsed <c>train</c> command line (options looked up by name, so a test can read any parse of it).</summary>
    public static TrainRequest Read(ParseResult parse)
    {
        var seed = parse.GetValue<int?>("--seed");
        var settings = new LearnerSettings
        {
            Trainer = parse.GetValue<string>("--trainer")!,
            Preset = parse.GetValue<string>("--preset")!,
            Epochs = parse.GetValue<int?>("--epochs"),
            Optimizer = parse.GetValue<string?>("--optimizer"),
            Seed = seed ?? Random.Shared.Next(1, int.MaxValue),
            Threads = parse.GetValue<int?>("--threads"),
            CheckpointDirectory = parse.GetValue<string?>("--checkpoint"),
            ResumeFrom = parse.GetValue<string?>("--resume"),
            LearningRate = parse.GetValue<double?>("--learning-rate"),
            Augmentation = parse.GetValue<string?>("--augmentation") is { } augment ? augment == "on" : null,
        };
        FineTuneRequest? fineTune = null;
        if (parse.GetValue<string?>("--corrections") is { } corrections)
        {
            fineTune = new FineTuneRequest(corrections, parse.GetValue<string?>("--model"), parse.GetValue<int?>("--repeat"),
                parse.GetValue<double>("--max-test-drop"), parse.GetResult("--preset") is OptionResult { Implicit: false });
        }
        else
        {
            var onlyWithCorrections = new[] { "--model", "--repeat", "--max-test-drop" }.FirstOrDefault(o => parse.GetResult(o) is OptionResult { Implicit: false });
            if (onlyWithCorrections is not null)
                throw new UsageException($"{onlyWithCorrections} applies to fine-tuning only: add --corrections DB (the corrections to fine-tune on).");
        }
        return new TrainRequest(settings, parse.GetValue<string>("--data")!, parse.GetValue<string?>("--data-dir"), parse.GetValue<string>("--out")!,
            parse.GetValue<bool>("--json"), parse.GetValue<bool>("--force"), seed is not null, fineTune);
    }

    /// <summary>MODEL.metrics.json for MODEL.zip.</summary>
    public static string MetricsPath(string modelPath) => Path.ChangeExtension(modelPath, ".metrics.json");

    private static async Task<int> RunAsync(CliEnvironment env, TrainRequest request, CancellationToken cancellationToken)
    {
        if (request.FineTune is not null)
            return await FineTuneRun.RunAsync(env, request, cancellationToken).ConfigureAwait(false);
        var (settings, dataName, _, outPath, json, force, seedGiven, _) = request;
        settings.Validate();
        if (string.IsNullOrWhiteSpace(outPath))
            throw new UsageException("--out needs a file name, e.g. --out my-cnn.zip.");
        if (Directory.Exists(outPath))
            throw new UsageException($"--out '{outPath}' is a folder; give the model file's name, e.g. {Path.Combine(outPath, "my-" + settings.Trainer + ".zip")}.");
        if (File.Exists(outPath) && !force)
            throw new UsageException($"'{outPath}' already exists; pass --force to replace it (and {MetricsPath(outPath)}), or choose another --out, e.g. --out my-{settings.Trainer}.zip.");
        if (settings.ResumeFrom is { } resumeFrom && !File.Exists(TrainingCheckpoint.Resolve(resumeFrom)))
            throw new FileNotFoundException($"No checkpoint to resume from at '{TrainingCheckpoint.Resolve(resumeFrom)}'. Pass the folder given to --checkpoint (holding {TrainingCheckpoint.FileName}).");

        var log = json ? env.WithOutput(env.Error) : env;
        var defaultCheckpoint = settings.IsCnn && settings.CheckpointDirectory is null;
        if (defaultCheckpoint)
            settings = settings with { CheckpointDirectory = DefaultCheckpoint(outPath) };

        var root = env.DataRoot(request.DataDir);
        var dataset = await DatasetArguments.EnsureAvailableAsync(log, root, dataName, DatasetSplit.Train, cancellationToken).ConfigureAwait(false);
        dataset = await DatasetArguments.EnsureAvailableAsync(log, root, dataName, DatasetSplit.Test, cancellationToken).ConfigureAwait(false);
        var ml = new MLContext(settings.Seed);
        var train = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Train);

        await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Training {settings.Description} on {dataset.Description} ({train.GetRowCount():N0} images), seed {settings.Seed}{(seedGiven ? "" : " (random; pass --seed to repeat)")}.")).ConfigureAwait(false);
        TrainedModel trained;
        try
        {
            trained = await TrainingRun.TrainAsync(log, settings, train, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await WriteStoppedAsync(env, request, root, settings.CheckpointDirectory).ConfigureAwait(false);
            return CliApp.Failure;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            // A checkpoint from other settings, a diverging learning rate...: the trainer's message says what to change.
            throw new TrainingFailedException(e.Message, e);
        }

        // The metrics of the model being replaced go just before it does, so a kill can leave the new model without
        // metrics (until `evaluate` is run) but never beside the old model's.
        var metricsPath = MetricsPath(outPath);
        AtomicFile.Write(outPath, stream => ml.Model.Save(trained.Model, trained.InputSchema, stream), overwrite: force,
            beforeReplace: () => File.Delete(metricsPath));
        // The training set's pixels (188 MB as floats for MNIST) and the trainer's buffers are garbage now: hand the memory
        // back before evaluating, so that the evaluation's own buffers do not stack on top of the training's peak.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var test = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Test); // read only now, so it is not held through training

        await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Trained in {ReportWriter.Seconds(trained.Seconds)}; saved {outPath} ({ReportWriter.Bytes(new FileInfo(outPath).Length)}). Evaluating on the test split ({test.GetRowCount():N0} images)...")).ConfigureAwait(false);

        LearnerResult result;
        try
        {
            result = ModelAssessment.Assess(trained.Model, test, $"{dataset.Description}, test split",
                new ModelAssessment.ModelFacts(settings.Trainer, settings.Description, outPath, trained.Seconds, settings.Seed, trained.Curves, trained.CurvesNote),
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: stopped while evaluating; the model is saved in {outPath} but its metrics were not written. " +
                $"Measure it with: mlnetdigits evaluate --model {Quote(outPath)}{(dataName == "mnist" ? "" : " --data " + Quote(dataName))}").ConfigureAwait(false);
            return CliApp.Failure;
        }
        var document = MetricsJson.Write(MetricsJson.ToJson(result));
        AtomicFile.WriteAllText(metricsPath, document);
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
        await env.Out.WriteLineAsync($"Metrics: {metricsPath}").ConfigureAwait(false);
        return CliApp.Success;
    }

    /// <summary>The checkpoint folder used without <c>--checkpoint</c>: MODEL.checkpoint beside MODEL.zip (absolute).</summary>
    public static string DefaultCheckpoint(string outPath) => Path.ChangeExtension(Path.GetFullPath(outPath), ".checkpoint");

    /// <summary>
    /// The arguments (after <c>mlnetdigits</c>) that continue <paramref name="request"/> from the checkpoint in
    /// <paramref name="checkpointFolder"/>: every option that shapes the run, paths made absolute and the data root
    /// always given, so the command means the same run from any folder and whatever $MLNETDIGITS_DATA says.
    /// </summary>
    public static List<string> ResumeArguments(TrainRequest request, DataRoot root, string checkpointFolder)
    {
        var s = request.Settings;
        var inv = CultureInfo.InvariantCulture;
        var args = new List<string> { "train", "--trainer", s.Trainer, "--preset", s.Preset };
        if (s.Epochs is { } e)
            args.AddRange(["--epochs", e.ToString(inv)]);
        if (s.Optimizer is { } o)
            args.AddRange(["--optimizer", o]);
        args.AddRange(["--seed", s.Seed.ToString(inv)]);
        if (s.Threads is { } t)
            args.AddRange(["--threads", t.ToString(inv)]);
        if (s.Backend is { } b)
            args.AddRange(["--backend", b]);
        if (s.LearningRate is { } lr)
            args.AddRange(["--learning-rate", lr.ToString("R", inv)]);
        if (s.Augmentation is { } augment)
            args.AddRange(["--augmentation", augment ? "on" : "off"]);
        var data = DatasetLocator.IsKnownName(request.DataName) ? request.DataName : Path.GetFullPath(request.DataName);
        args.AddRange(["--data", data, "--data-dir", root.Folder]);
        if (s.CheckpointDirectory is { } explicitCheckpoint)
            args.AddRange(["--checkpoint", Path.GetFullPath(explicitCheckpoint)]);
        args.AddRange(["--resume", Path.GetFullPath(checkpointFolder), "--out", Path.GetFullPath(request.OutPath)]);
        if (request.Force)
            args.Add("--force");
        if (request.Json)
            args.Add("--json");
        return args;
    }

    /// <summary>After Ctrl+C or SIGTERM: what was kept and the exact command that continues the run.</summary>
    private static async Task WriteStoppedAsync(CliEnvironment env, TrainRequest request, DataRoot root, string? checkpointFolder)
    {
        await env.Error.WriteLineAsync("mlnetdigits: training stopped (Ctrl+C or SIGTERM); no model was saved.").ConfigureAwait(false);
        var file = checkpointFolder is { } dir ? Path.Combine(dir, TrainingCheckpoint.FileName) : null;
        if (!request.Settings.IsCnn || file is null || !File.Exists(file))
        {
            await env.Error.WriteLineAsync(request.Settings.IsCnn
                ? "No epoch had finished, so there is no checkpoint to resume from; run the same command again."
                : "SDCA keeps no checkpoints; run the same command again.").ConfigureAwait(false);
            return;
        }
        var epoch = TrainingCheckpoint.Load(file).Epoch;
        var args = ResumeArguments(request, root, checkpointFolder!);
        await env.Error.WriteLineAsync($"The checkpoint after epoch {epoch} is in {checkpointFolder}. Resume with:").ConfigureAwait(false);
        await env.Error.WriteLineAsync("  mlnetdigits " + string.Join(' ', args.Select(Quote))).ConfigureAwait(false);
    }

    /// <summary><paramref name="arg"/> as a POSIX shell word: as it is when plain, else in single quotes.</summary>
    public static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:+,@".Contains(c)) ? arg : $"'{arg.Replace("'", "'\\''")}'";
}
