using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Cli.Training;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits train --trainer cnn --corrections DB [--model BASE.zip] --out NEW.zip</c>: fine-tunes a trained
/// CNN from its weights on the training split plus the corrections people made (each repeated so that they are a small
/// share of the rows and shuffled among them), gently (one epoch at a tenth of the preset's learning rate, with augmentation), then measures the
/// initial and the new model on the corrections and on the test split. The new model is saved beside the initial one,
/// never over it; when the test accuracy falls by more than <c>--max-test-drop</c> points it is saved as
/// NEW.rejected.zip instead and the command fails.
/// </summary>
internal static class FineTuneRun
{
    /// <summary>The defaults of a fine-tune, each chosen so that the model learns the corrections without forgetting MNIST.</summary>
    public static class Defaults
    {
        /// <summary>The model fine-tuned without <c>--model</c>: the shipped "cnn" (models/cnn-best.zip), the most accurate one.</summary>
        public const string InitialModel = "cnn";

        /// <summary>One epoch: the network is trained already; a pass over the data teaches it the corrections.</summary>
        public const int Epochs = 1;

        /// <summary>A tenth of the preset's learning rate, so the trained weights move a little rather than being relearned.</summary>
        public const double LearningRateFactor = 0.1;

        /// <summary>
        /// The corrections are repeated until they are about 2 % of the training rows (e.g. 50 corrections x 24 among MNIST's
        /// 60,000): each is then seen a few dozen times in an epoch, often enough to be learned, while 98 % of every batch
        /// is still MNIST, which keeps the rest of what the model knows in place.
        /// </summary>
        public const double CorrectionShare = 0.02;

        /// <summary>No correction is repeated more than 100 times, so a handful of them is not memorised pixel by pixel.</summary>
        public const int MaxRepeat = 100;

        /// <summary>The most the test accuracy may fall, in percentage points (5 of MNIST's 10,000 test images), for the model to be saved as <c>--out</c>.</summary>
        public const double MaxTestDropPoints = 0.05;
    }

    /// <summary>How many times each of <paramref name="corrections"/> is repeated among <paramref name="trainingRows"/> images by default (see <see cref="Defaults.CorrectionShare"/>).</summary>
    public static int DefaultRepeat(long trainingRows, int corrections) =>
        (int)Math.Clamp(Math.Round(Defaults.CorrectionShare * trainingRows / corrections), 1, Defaults.MaxRepeat);

    /// <summary>Where a model that failed the test-accuracy check is saved: NEW.rejected.zip beside NEW.zip.</summary>
    public static string RejectedPath(string outPath) => Path.ChangeExtension(outPath, ".rejected.zip");

    public static async Task<int> RunAsync(CliEnvironment env, TrainRequest request, CancellationToken cancellationToken)
    {
        var fineTune = request.FineTune!;
        var settings = request.Settings;
        var inv = CultureInfo.InvariantCulture;
        settings.Validate();
        if (!settings.IsCnn)
            throw new UsageException("--corrections fine-tunes a CNN: use --trainer cnn (an SDCA model cannot start from another model's weights).");
        if (settings.CheckpointDirectory is not null || settings.ResumeFrom is not null)
            throw new UsageException("--checkpoint and --resume do not apply with --corrections: a fine-tune is short and keeps no checkpoint; if it is stopped, run it again.");
        if (fineTune.Repeat is <= 0 or > 10_000)
            throw new UsageException($"--repeat must be between 1 and 10000, not {fineTune.Repeat}.");
        if (!(fineTune.MaxTestDrop is >= 0 and <= 100))
            throw new UsageException(string.Create(inv, $"--max-test-drop is in percentage points, 0 to 100, not {fineTune.MaxTestDrop}."));
        var outPath = request.OutPath;
        if (string.IsNullOrWhiteSpace(outPath))
            throw new UsageException("--out needs a file name, e.g. --out cnn-tuned.zip.");
        if (Directory.Exists(outPath))
            throw new UsageException($"--out '{outPath}' is a folder; give the new model file's name, e.g. {Path.Combine(outPath, "cnn-tuned.zip")}.");

        // The initial model stays as it is: the new one goes beside it, under another name, and only there.
        var initialPath = Path.GetFullPath(ModelArguments.Resolve(fineTune.InitialModel ?? Defaults.InitialModel));
        var rejectedPath = RejectedPath(outPath);
        // A free name beside --out to suggest: BASE-tuned.zip, else BASE-tuned-2.zip, ...
        var suggestion = Path.Combine(Path.GetDirectoryName(outPath) ?? "", Path.GetFileNameWithoutExtension(initialPath) + "-tuned.zip");
        for (int n = 2; File.Exists(suggestion) || SameFile(suggestion, initialPath); n++)
            suggestion = Path.Combine(Path.GetDirectoryName(outPath) ?? "", string.Create(inv, $"{Path.GetFileNameWithoutExtension(initialPath)}-tuned-{n}.zip"));
        if (SameFile(outPath, initialPath) || SameFile(rejectedPath, initialPath))
            throw new UsageException($"--out '{outPath}' would replace the initial model {initialPath}; a fine-tuned model is saved beside the old one, never over it (even with --force). Choose another --out, e.g. --out {suggestion}.");
        if (File.Exists(outPath) && !request.Force)
            throw new UsageException($"'{outPath}' already exists; pass --force to replace it (and {TrainCommand.MetricsPath(outPath)}), or choose another --out, e.g. --out {suggestion}.");
        if (File.Exists(rejectedPath) && !request.Force)
            throw new UsageException($"'{rejectedPath}' already exists (a fine-tune whose test accuracy fell too far is saved there); move it away, pass --force to replace it, or choose another --out.");

        var (store, corrections) = ReadCorrections(fineTune.Corrections);
        var log = request.Json ? env.WithOutput(env.Error) : env;
        var root = env.DataRoot(request.DataDir);
        var dataset = await DatasetArguments.EnsureAvailableAsync(log, root, request.DataName, DatasetSplit.Train, cancellationToken).ConfigureAwait(false);
        dataset = await DatasetArguments.EnsureAvailableAsync(log, root, request.DataName, DatasetSplit.Test, cancellationToken).ConfigureAwait(false);
        var ml = new MLContext(settings.Seed);
        var train = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Train) as IdxDataView
            ?? throw new InvalidDataException($"The training split in {dataset.Folder} did not load as IDX images.");
        var test = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Test);

        using var initialModel = LoadedModel.FromFile(initialPath);
        ImageClassificationTransformer initial;
        try
        {
            initial = ImageClassificationTransformer.Load(ml, initialPath);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidModelException($"--model '{initialPath}' cannot be fine-tuned: {e.Message}", e);
        }
        var classNames = initial.Info.ClassNames;
        if (corrections.FirstOrDefault(c => !classNames.Contains(c.Label.ToString(inv))) is { } stranger)
            throw new InvalidDataException($"Correction {stranger.Id} in '{store.Path}' has the label {stranger.Label}, which {initialPath} does not predict " +
                $"(its classes are {string.Join(", ", classNames)}); fine-tuning keeps the model's classes.");

        // The recipe: the initial model's own preset unless --preset is given, gentler (one epoch, a tenth of the rate, augmented).
        var preset = fineTune.PresetGiven ? settings.Preset : initial.Info.Settings?.Preset ?? settings.Preset;
        var recipe = ImageClassificationPreset.Get(preset);
        if (settings.Optimizer is { } optimizer && settings.LearningRate is null && !string.Equals(optimizer, recipe.Optimizer, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"With --optimizer {optimizer} (preset {preset} uses {recipe.Optimizer}) give --learning-rate too: a fine-tune's default rate is a tenth of the preset's, which is meant for {recipe.Optimizer}.");
        var tuned = settings with
        {
            Preset = preset,
            Epochs = settings.Epochs ?? Defaults.Epochs,
            LearningRate = settings.LearningRate ?? recipe.LearningRate * Defaults.LearningRateFactor,
            Augmentation = settings.Augmentation ?? true,
            // The corrections come after the training split; unshuffled (as "fast" trains) they would all fall in the
            // epoch's last batches, where the one-cycle schedule has brought the learning rate down to nearly nothing.
            Shuffle = true,
            InitialModel = initial,
            InitialModelPath = initialPath,
        };

        // The corrections, each repeated among the training images; the first copy of each is what they are measured on.
        var repeat = fineTune.Repeat ?? DefaultRepeat(train.RowCount, corrections.Count);
        var correctionRows = (IdxDataView)store.ToDataView(ml, repeat);
        if (correctionRows.RowCount != corrections.Count * repeat)
            throw new IOException($"The corrections in '{store.Path}' changed while they were read (another process is adding some); run the command again.");
        var correctionsOnce = ml.Data.TakeRows(correctionRows, corrections.Count);
        var training = IdxDataView.Concatenate(train, correctionRows);
        var initialSummary = ModelInspector.Inspect(initialModel.Transformer);
        await log.Out.WriteLineAsync(string.Create(inv,
            $"Fine-tuning {initialPath} ({initialSummary.Description}) on {dataset.Description} ({train.RowCount:N0} training images) plus {corrections.Count:N0} " +
            $"correction{(corrections.Count == 1 ? "" : "s")} from {store.Path}, each repeated {repeat} times ({correctionRows.RowCount:N0} rows, " +
            $"{(double)correctionRows.RowCount / training.RowCount:P1} of {training.RowCount:N0}): preset {preset}, {tuned.Epochs} epoch{(tuned.Epochs == 1 ? "" : "s")}, " +
            $"{(tuned.Optimizer ?? recipe.Optimizer).ToLowerInvariant()} lr {tuned.LearningRate:G4}, augmentation {(tuned.Augmentation == true ? "on" : "off")}, " +
            $"seed {tuned.Seed}{(request.SeedGiven ? "" : " (random; pass --seed to repeat)")}.")).ConfigureAwait(false);

        var testDescription = $"{dataset.Description}, test split";
        await log.Out.WriteLineAsync(string.Create(inv, $"Measuring the initial model on the corrections and the test split ({test.GetRowCount():N0} images)...")).ConfigureAwait(false);
        var rightBefore = CountRight(initialModel.Transformer, correctionsOnce, classNames);
        var before = await Task.Run(() => ModelAssessment.Assess(initialModel.Transformer, test, testDescription,
            new ModelAssessment.ModelFacts("initial", initialSummary.Description, initialPath, null, null, [], null), cancellationToken), cancellationToken).ConfigureAwait(false);

        TrainedModel trained;
        try
        {
            trained = await TrainingRun.TrainAsync(log, tuned, training, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: fine-tuning stopped (Ctrl+C or SIGTERM); no model was saved and {initialPath} is unchanged. " +
                "A fine-tune keeps no checkpoint: run the same command again.").ConfigureAwait(false);
            return CliApp.Failure;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw new TrainingFailedException(e.Message, e);
        }

        await log.Out.WriteLineAsync(string.Create(inv, $"Fine-tuned in {ReportWriter.Seconds(trained.Seconds)}. Measuring the new model...")).ConfigureAwait(false);
        var rightAfter = CountRight(trained.Model, correctionsOnce, classNames);
        LearnerResult after;
        try
        {
            after = await Task.Run(() => ModelAssessment.Assess(trained.Model, test, testDescription,
                new ModelAssessment.ModelFacts("cnn", tuned.Description, null, trained.Seconds, tuned.Seed, trained.Curves, trained.CurvesNote),
                cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: stopped while measuring the fine-tuned model; no model was saved and {initialPath} is unchanged.").ConfigureAwait(false);
            return CliApp.Failure;
        }

        // The check counts errors, so "0.05 points" is exactly 5 of 10,000 images, with no rounding in between.
        var outcome = new Outcome(corrections.Count, rightBefore, rightAfter, before, after, fineTune.MaxTestDrop);
        var savedPath = outcome.Accepted ? outPath : rejectedPath;
        var metricsPath = TrainCommand.MetricsPath(savedPath);
        AtomicFile.Write(savedPath, stream => ml.Model.Save(trained.Model, trained.InputSchema, stream), overwrite: request.Force,
            beforeReplace: () => File.Delete(metricsPath));
        after = after with { ModelPath = savedPath, ModelBytes = new FileInfo(savedPath).Length };
        var document = MetricsJson.ToJson(after);
        document["fineTune"] = outcome.ToJson(initialPath, store.Path, repeat, correctionRows.RowCount, training.RowCount, tuned, recipe, savedPath);
        var text = MetricsJson.Write(document);
        AtomicFile.WriteAllText(metricsPath, text);

        if (request.Json)
        {
            await env.Out.WriteLineAsync(text).ConfigureAwait(false);
        }
        else
        {
            await env.Out.WriteLineAsync().ConfigureAwait(false);
            await env.Out.WriteAsync(MetricsText.Render(after.Evaluation)).ConfigureAwait(false);
            await env.Out.WriteLineAsync().ConfigureAwait(false);
            await env.Out.WriteAsync(outcome.Table(dataset.Description)).ConfigureAwait(false);
            await env.Out.WriteLineAsync().ConfigureAwait(false);
            await env.Out.WriteLineAsync(string.Create(inv,
                $"Fine-tuned in {ReportWriter.Seconds(trained.Seconds)}; saved {savedPath} ({ReportWriter.Bytes(after.ModelBytes ?? 0)}); {initialPath} is unchanged.")).ConfigureAwait(false);
            await env.Out.WriteLineAsync($"Metrics: {metricsPath}").ConfigureAwait(false);
        }
        if (outcome.Accepted)
            return CliApp.Success;
        await env.Error.WriteLineAsync(string.Create(inv,
            $"mlnetdigits: the test accuracy fell by {-outcome.TestChangePoints:0.00} points ({before.Metrics.MicroAccuracy:P2} -> {after.Metrics.MicroAccuracy:P2}, " +
            $"{outcome.ErrorsAfter - outcome.ErrorsBefore} more errors), more than --max-test-drop {fineTune.MaxTestDrop} allows: the fine-tuned model was not saved as {outPath}. " +
            $"It is in {rejectedPath} for inspection. Try a lower --learning-rate, a smaller --repeat or --epochs 1.")).ConfigureAwait(false);
        return CliApp.Failure;
    }

    /// <summary>The store at <paramref name="path"/> and its corrections; refuses a missing, damaged or empty one.</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">Not a corrections database, a damaged one, or one without corrections.</exception>
    private static (CorrectionStore Store, IReadOnlyList<Correction> Corrections) ReadCorrections(string path)
    {
        CorrectionStore store;
        try
        {
            store = CorrectionStore.OpenExisting(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"--corrections: {e.Message} Give an SQLite file of corrections written by CorrectionStore (MlNetDigits.CorrectionStore.Open(path).Add(...)).", e.FileName, e);
        }
        IReadOnlyList<Correction> corrections;
        try
        {
            corrections = store.ReadAll();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or FormatException or InvalidCastException)
        {
            throw new InvalidDataException($"The corrections database '{store.Path}' cannot be read ({e.Message}); it is damaged or was not written by CorrectionStore.", e);
        }
        if (corrections.Count == 0)
            throw new InvalidDataException($"The corrections database '{store.Path}' holds no corrections: there is nothing to fine-tune on. " +
                "Corrections are added with CorrectionStore.Add (label, the 784 pixels the model saw, its answer).");
        return (store, corrections);
    }

    /// <summary>How many rows of <paramref name="data"/> the model classifies right (the class of its highest score against the label).</summary>
    /// <remarks>
    /// The cursor asks for every column: ML.NET's OnnxTransformer asked for "Score" alone (not the model's other outputs,
    /// such as "OodScore") failed inside ONNX Runtime with a NullReferenceException.
    /// </remarks>
    private static int CountRight(ITransformer model, IDataView data, IReadOnlyList<string> classNames)
    {
        // The labels as stored (the model's chain turns "Label" into a key, so they are read before it).
        var labels = new List<uint>();
        using (var cursor = data.GetRowCursor([data.Schema["Label"]]))
        {
            var getLabel = cursor.GetGetter<uint>(data.Schema["Label"]);
            uint label = 0;
            while (cursor.MoveNext())
            {
                getLabel(ref label);
                labels.Add(label);
            }
        }
        var scored = model.Transform(data);
        int right = 0, row = 0;
        using (var cursor = scored.GetRowCursor(scored.Schema))
        {
            var getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
            VBuffer<float> score = default;
            while (cursor.MoveNext())
            {
                getScore(ref score);
                var best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(score.DenseValues().ToArray().AsSpan());
                if (classNames[best] == labels[row].ToString(CultureInfo.InvariantCulture))
                    right++;
                row++;
            }
        }
        return right;
    }

    /// <summary>Does <paramref name="a"/> name the same file as <paramref name="b"/> (after links are followed)?</summary>
    private static bool SameFile(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    /// <summary>The figures before and after, and whether the new model is accepted.</summary>
    private sealed record Outcome(int Corrections, int RightBefore, int RightAfter, LearnerResult Before, LearnerResult After, double MaxTestDrop)
    {
        public long Rows => After.RowCount;

        public long ErrorsBefore => Before.MisclassifiedCount;

        public long ErrorsAfter => After.MisclassifiedCount;

        /// <summary>The change in test accuracy in percentage points (negative: it fell), from the error counts.</summary>
        public double TestChangePoints => (ErrorsBefore - ErrorsAfter) * 100.0 / Rows;

        /// <summary>True when the test accuracy fell by at most <see cref="MaxTestDrop"/> points (counted in images: 0.05 of 10,000 is 5).</summary>
        public bool Accepted => ErrorsAfter - ErrorsBefore <= (long)Math.Floor(MaxTestDrop / 100 * Rows + 1e-9);

        public double AccuracyBefore => (double)RightBefore / Corrections;

        public double AccuracyAfter => (double)RightAfter / Corrections;

        /// <summary>The before/after table printed after a fine-tune.</summary>
        public string Table(string dataset)
        {
            var inv = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            void Row(string name, string before, string after, string change, string note) =>
                sb.Append(name.PadRight(34)).Append(before.PadLeft(10)).Append(after.PadLeft(10)).Append(change.PadLeft(16)).Append(note.Length > 0 ? "   " + note : "").Append('\n');
            Row("Fine-tuning", "before", "after", "change", "");
            Row(string.Create(inv, $"corrections ({Corrections:N0})"), AccuracyBefore.ToString("P1", inv), AccuracyAfter.ToString("P1", inv),
                ((AccuracyAfter - AccuracyBefore) * 100).ToString("+0.0' points';-0.0' points'; 0.0' points'", inv), string.Create(inv, $"{RightBefore} -> {RightAfter} right"));
            Row(string.Create(inv, $"{Shorten(dataset)} test ({Rows:N0})"), Before.Metrics.MicroAccuracy.ToString("P2", inv), After.Metrics.MicroAccuracy.ToString("P2", inv),
                TestChangePoints.ToString("+0.00' points';-0.00' points'; 0.00' points'", inv), string.Create(inv, $"{ErrorsBefore} -> {ErrorsAfter} errors"));
            Row("test calibration error (ECE)", Before.Evaluation.Calibration.ExpectedCalibrationError.ToString("0.0000", inv),
                After.Evaluation.Calibration.ExpectedCalibrationError.ToString("0.0000", inv), "", "");
            sb.Append(Accepted
                ? string.Create(inv, $"Accepted: the test accuracy fell by no more than {MaxTestDrop} points (--max-test-drop).\n")
                : string.Create(inv, $"Rejected: the test accuracy fell by more than {MaxTestDrop} points (--max-test-drop).\n"));
            return sb.ToString();
        }

        /// <summary>"MNIST" for "MNIST handwritten digits", so the table stays narrow.</summary>
        private static string Shorten(string dataset) => dataset.Split(' ')[0];

        /// <summary>The "fineTune" object of the JSON document.</summary>
        public JsonObject ToJson(string initialPath, string correctionsPath, int repeat, long correctionRows, long trainingRows, LearnerSettings tuned,
            ImageClassificationPreset recipe, string savedPath) => new()
        {
            ["initialModel"] = initialPath,
            ["corrections"] = correctionsPath,
            ["correctionCount"] = Corrections,
            ["repeat"] = repeat,
            ["correctionRows"] = correctionRows,
            ["trainingRows"] = trainingRows,
            ["preset"] = tuned.Preset,
            ["epochs"] = tuned.Epochs,
            ["optimizer"] = (tuned.Optimizer ?? recipe.Optimizer).ToLowerInvariant(),
            ["learningRate"] = tuned.LearningRate,
            ["augmentation"] = tuned.Augmentation,
            ["correctionsRightBefore"] = RightBefore,
            ["correctionsRightAfter"] = RightAfter,
            ["correctionsAccuracyBefore"] = Math.Round(AccuracyBefore, 6),
            ["correctionsAccuracyAfter"] = Math.Round(AccuracyAfter, 6),
            ["testRows"] = Rows,
            ["testErrorsBefore"] = ErrorsBefore,
            ["testErrorsAfter"] = ErrorsAfter,
            ["testAccuracyBefore"] = Math.Round(Before.Metrics.MicroAccuracy, 6),
            ["testAccuracyAfter"] = Math.Round(After.Metrics.MicroAccuracy, 6),
            ["testAccuracyChangePoints"] = Math.Round(TestChangePoints, 4),
            ["eceBefore"] = Math.Round(Before.Evaluation.Calibration.ExpectedCalibrationError, 6),
            ["eceAfter"] = Math.Round(After.Evaluation.Calibration.ExpectedCalibrationError, 6),
            ["maxTestDropPoints"] = MaxTestDrop,
            ["accepted"] = Accepted,
            ["savedAs"] = savedPath,
        };
    }
}
