using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MlNetDigits.Cli.Rendering;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Cli.Training;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits compare</c>: trains ML.NET's SdcaMaximumEntropy and the CNN (or loads two models with <c>--models A B</c>),
/// evaluates both on the test split and prints them side by side: accuracy, log-loss, calibration error, training time,
/// single-image latency (median through an ML.NET PredictionEngine), model size, how many times fewer errors the second
/// makes, and both confusion matrices. The defaults (SDCA's own, the CNN's "fast" preset for one epoch, seed 1) finish in a
/// few minutes on two cores on full MNIST, which is fetched first when missing from the default data root.
/// </summary>
internal static class CompareCommand
{
    /// <summary>The seed used when <c>--seed</c> is not given, so the README's figures can be reproduced.</summary>
    public const int DefaultSeed = 1;

    public static Command Create(CliEnvironment env, GlobalOptions global)
    {
        var data = new Option<string>("--data") { Description = DatasetArguments.Description, DefaultValueFactory = _ => "mnist", HelpName = DatasetArguments.HelpName };
        var report = new Option<string?>("--report") { Description = "Write report.html and report.md (the models side by side), charts, mistakes and the trained models into this new or empty folder (or one holding an earlier report).", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (one object per learner) on stdout." };
        var models = new Option<string[]?>("--models")
        {
            Description = "Compare two saved models instead of training (files or shipped names, e.g. --models sdca cnn).",
            HelpName = "A B",
            AllowMultipleArgumentsPerToken = true,
            Arity = new ArgumentArity(2, 2),
        };
        var learner = new LearnerOptions("fast", "CNN epochs (default: the preset's; 1 for fast).");
        var sdcaIterations = new Option<int?>("--sdca-iterations") { Description = "SDCA's most iterations (default: chosen from the data size, as ML.NET does).", HelpName = "N" };
        learner.Seed.Description = $"Seed of every random choice (default: {DefaultSeed}).";
        var command = new Command("compare", "Train (or load) the SDCA and CNN classifiers and compare them side by side.") { data, report, json, models };
        learner.AddTo(command);
        command.Options.Add(sdcaIterations);
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () =>
        {
            var sdca = learner.Read(parse, "sdca") with { Epochs = parse.GetValue(sdcaIterations), Optimizer = null, Backend = null, Seed = parse.GetValue(learner.Seed) ?? DefaultSeed };
            var cnn = learner.Read(parse, "cnn") with { Seed = parse.GetValue(learner.Seed) ?? DefaultSeed };
            return RunAsync(env, env.DataRoot(parse.GetValue(global.DataDir)), parse.GetValue(data)!, parse.GetValue(report), parse.GetValue(json),
                parse.GetValue(models), [sdca, cnn], cancellationToken);
        }));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, DataRoot root, string dataName, string? reportFolder, bool json,
        string[]? modelNames, LearnerSettings[] learners, CancellationToken cancellationToken)
    {
        foreach (var l in learners)
            l.Validate();
        if (reportFolder is not null)
            ReportWriter.CheckFolder(reportFolder);
        var log = json ? env.WithOutput(env.Error) : env;
        // Fail on a missing or unreadable model before fetching or training.
        var loaded = new List<LoadedModel>();
        // Trained models wait here and join the report folder with the report, so a run that fails leaves the folder as it was.
        var trainedFolder = Path.Combine(Path.GetTempPath(), "mlnetdigits-compare-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var name in modelNames ?? [])
                loaded.Add(ModelArguments.Load(name));

            var dataset = await DatasetArguments.EnsureAvailableAsync(log, root, dataName, DatasetSplit.Test, cancellationToken).ConfigureAwait(false);
            var ml = new MLContext(0);
            var test = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Test);
            var testDescription = $"{dataset.Description}, test split";
            var results = loaded.Count > 0
                ? await AssessLoadedAsync(log, loaded, test, testDescription, cancellationToken).ConfigureAwait(false)
                : await TrainAndAssessAsync(log, root, dataName, reportFolder, trainedFolder, learners, test, testDescription, cancellationToken).ConfigureAwait(false);
            return await WriteAsync(env, log, reportFolder, trainedFolder, json, testDescription, results).ConfigureAwait(false);
        }
        finally
        {
            foreach (var model in loaded)
                model.Dispose();
            if (Directory.Exists(trainedFolder))
                Directory.Delete(trainedFolder, recursive: true);
        }
    }

    private static async Task<List<LearnerResult>> AssessLoadedAsync(CliEnvironment log, List<LoadedModel> models, IDataView test, string testDescription,
        CancellationToken cancellationToken)
    {
        var results = new List<LearnerResult>();
        var summaries = models.Select(m => ModelInspector.Inspect(m.Transformer)).ToList();
        var names = ColumnNames(models, summaries);
        for (int i = 0; i < models.Count; i++)
        {
            var (model, summary) = (models[i], summaries[i]);
            await log.Out.WriteLineAsync($"Evaluating {model.FilePath} ({summary.Description})...").ConfigureAwait(false);
            results.Add(await Task.Run(() => ModelAssessment.Assess(model.Transformer, test, testDescription,
                new ModelAssessment.ModelFacts(names[i], summary.Description, model.FilePath, null, null, summary.Curves, summary.CurvesNote),
                cancellationToken), cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    /// <summary>
    /// What each loaded model is called in the table and the report: its kind ("sdca", "cnn") when the kinds differ,
    /// else its file name (two CNNs: "cnn-fast" and "cnn-best"), numbered when those are the same too.
    /// </summary>
    private static List<string> ColumnNames(List<LoadedModel> models, List<ModelSummary> summaries)
    {
        List<string> names = summaries.Select(s => s.Kind).Distinct(StringComparer.Ordinal).Count() == summaries.Count
            ? [.. summaries.Select(s => s.Kind)]
            : [.. models.Select(m => Path.GetFileNameWithoutExtension(m.FilePath!))];
        for (int i = 1; i < names.Count; i++)
            if (names.Take(i).Contains(names[i], StringComparer.Ordinal))
                names[i] = $"{names[i]} ({i + 1})";
        return names;
    }

    /// <summary>Trains each learner into <paramref name="trainedFolder"/> and assesses it; a report will name its model REPORT/models/NAME.zip.</summary>
    private static async Task<List<LearnerResult>> TrainAndAssessAsync(CliEnvironment log, DataRoot root, string dataName, string? reportFolder,
        string trainedFolder, LearnerSettings[] learners, IDataView test, string testDescription, CancellationToken cancellationToken)
    {
        var dataset = await DatasetArguments.EnsureAvailableAsync(log, root, dataName, DatasetSplit.Train, cancellationToken).ConfigureAwait(false);
        var ml = new MLContext(0);
        var train = ml.Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Train);
        var results = new List<LearnerResult>();
        foreach (var settings in learners)
        {
            await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Training {settings.Description} on {dataset.Description} ({train.GetRowCount():N0} images), seed {settings.Seed}...")).ConfigureAwait(false);
            var trained = await TrainingRun.TrainAsync(log, settings, train, cancellationToken).ConfigureAwait(false);
            var path = Path.Combine(trainedFolder, settings.Trainer + ".zip");
            AtomicFile.Write(path, stream => ml.Model.Save(trained.Model, trained.InputSchema, stream));
            await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Trained {settings.Trainer} in {ReportWriter.Seconds(trained.Seconds)}; evaluating...")).ConfigureAwait(false);
            var result = await Task.Run(() => ModelAssessment.Assess(trained.Model, test, testDescription,
                new ModelAssessment.ModelFacts(settings.Trainer, settings.Description, null, trained.Seconds, settings.Seed,
                    trained.Curves, trained.CurvesNote), cancellationToken), cancellationToken).ConfigureAwait(false);
            results.Add(result with
            {
                ModelPath = reportFolder is null ? null : Path.Combine(reportFolder, ReportWriter.ModelFolder, Path.GetFileName(path)),
                ModelBytes = new FileInfo(path).Length,
            });
        }
        return results;
    }

    private static async Task<int> WriteAsync(CliEnvironment env, CliEnvironment log, string? reportFolder, string trainedFolder, bool json,
        string testDescription, List<LearnerResult> results)
    {
        if (reportFolder is not null)
        {
            ReportWriter.Write(reportFolder, "Comparison of " + string.Join(" and ", results.Select(r => r.Name)), results);
            if (Directory.Exists(trainedFolder))
            {
                foreach (var model in Directory.GetFiles(trainedFolder, "*.zip"))
                {
                    using var source = File.OpenRead(model);
                    AtomicFile.Write(Path.Combine(reportFolder, ReportWriter.ModelFolder, Path.GetFileName(model)), source.CopyTo);
                }
            }
            await log.Out.WriteLineAsync($"Report: {Path.Combine(reportFolder, "report.html")} (and report.md)").ConfigureAwait(false);
        }
        if (json)
        {
            var document = new JsonObject
            {
                ["dataset"] = testDescription,
                ["learners"] = new JsonArray([.. results.Select(r => (JsonNode?)MetricsJson.ToJson(r))]),
            };
            await env.Out.WriteLineAsync(MetricsJson.Write(document)).ConfigureAwait(false);
            return CliApp.Success;
        }
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        await env.Out.WriteLineAsync($"Test set: {testDescription} ({results[0].RowCount:N0} images)").ConfigureAwait(false);
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        await env.Out.WriteAsync(ComparisonTable.Render(results)).ConfigureAwait(false);
        return CliApp.Success;
    }
}
