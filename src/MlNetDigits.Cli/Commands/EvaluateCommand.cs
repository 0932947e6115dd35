using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Cli.Training;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits evaluate --model MODEL.zip [--data ...] [--report DIR] [--json]</c>: scores a saved model on the test
/// split and prints ML.NET's multiclass metrics (with the calibration error and F1 of EvaluateDetailed), the confusion
/// table, latency and size; optionally writes a report. A CNN's training curves come from the history in its file.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliEnvironment env, GlobalOptions global)
    {
        var model = new Option<string>("--model") { Description = ModelArguments.Description, Required = true, HelpName = "MODEL.zip" };
        var data = new Option<string>("--data") { Description = DatasetArguments.Description, DefaultValueFactory = _ => "mnist", HelpName = DatasetArguments.HelpName };
        var report = new Option<string?>("--report") { Description = "Write report.html, report.md, charts and a gallery of mistakes into this new or empty folder (or one holding an earlier report).", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with the metrics on stdout." };
        var command = new Command("evaluate", "Evaluate a saved model on the test split.") { model, data, report, json };
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () => RunAsync(env, env.DataRoot(parse.GetValue(global.DataDir)),
            parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(report), parse.GetValue(json), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, DataRoot root, string modelName, string dataName, string? reportFolder,
        bool json, CancellationToken cancellationToken)
    {
        if (reportFolder is not null)
            ReportWriter.CheckFolder(reportFolder);
        var log = json ? env.WithOutput(env.Error) : env;
        using var model = ModelArguments.Load(modelName);
        var path = model.FilePath!;
        var dataset = await DatasetArguments.EnsureAvailableAsync(log, root, dataName, DatasetSplit.Test, cancellationToken).ConfigureAwait(false);
        var test = new MLContext(0).Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Test);
        var summary = ModelInspector.Inspect(model.Transformer);
        await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Evaluating {path} ({summary.Description}) on {dataset.Description}, test split ({test.GetRowCount():N0} images)...")).ConfigureAwait(false);
        var result = await Task.Run(() => ModelAssessment.Assess(model.Transformer, test, $"{dataset.Description}, test split",
            new ModelAssessment.ModelFacts(Path.GetFileNameWithoutExtension(path), summary.Description, path, null, null, summary.Curves, summary.CurvesNote),
            cancellationToken), cancellationToken).ConfigureAwait(false);

        if (reportFolder is not null)
        {
            ReportWriter.Write(reportFolder, $"Evaluation of {Path.GetFileName(path)}", [result]);
            await log.Out.WriteLineAsync($"Report: {Path.Combine(reportFolder, "report.html")} (and report.md)").ConfigureAwait(false);
        }
        if (json)
        {
            await env.Out.WriteLineAsync(MetricsJson.Write(MetricsJson.ToJson(result))).ConfigureAwait(false);
            return CliApp.Success;
        }
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        await env.Out.WriteAsync(MetricsText.Render(result.Evaluation)).ConfigureAwait(false);
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Single-image latency {ReportWriter.Latency(result.LatencyMicroseconds ?? double.NaN)}, model {ReportWriter.Bytes(result.ModelBytes ?? 0)}.")).ConfigureAwait(false);
        return CliApp.Success;
    }
}
