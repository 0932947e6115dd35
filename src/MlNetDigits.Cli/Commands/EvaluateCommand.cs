using System.CommandLine;
using System.Globalization;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Cli.Training;
using MlNetDigits.Data.Datasets;
using MlNetDigits.Data.Idx;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits evaluate --model MODEL.zip [--data ...] [--report DIR] [--json]</c>: scores a saved model on the test
/// split and prints ML.NET's multiclass metrics, the confusion table, latency and size; optionally writes a report.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliEnvironment env, GlobalOptions global)
    {
        var model = new Option<string>("--model") { Description = ModelArguments.Description, Required = true, HelpName = "MODEL.zip" };
        var data = new Option<string>("--data") { Description = DatasetArguments.Description, DefaultValueFactory = _ => "mnist", HelpName = DatasetArguments.HelpName };
        var report = new Option<string?>("--report") { Description = "Write report.html, report.md, SVG charts and a gallery of mistakes into this folder.", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with the metrics on stdout." };
        var command = new Command("evaluate", "Evaluate a saved model on the test split.") { model, data, report, json };
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () => RunAsync(env, env.Locator(parse.GetValue(global.DataDir)),
            parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(report), parse.GetValue(json), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, DatasetLocator locator, string modelName, string dataName, string? reportFolder,
        bool json, CancellationToken cancellationToken)
    {
        var log = json ? env.WithOutput(env.Error) : env;
        var (model, schema, path) = ModelArguments.Load(modelName);
        var dataset = await DatasetArguments.EnsureAvailableAsync(log, locator, dataName, DatasetSplit.Test, cancellationToken).ConfigureAwait(false);
        var test = new DigitsContext(0).Data.LoadFromIdxFolder(dataset.Folder, DatasetSplit.Test);
        await log.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Evaluating {path} ({ModelInspector.Describe(model)}) on {dataset.Description}, test split ({test.GetRowCount():N0} images)...")).ConfigureAwait(false);
        var (curves, note) = ModelInspector.CurvesFromModel(model);
        var result = await Task.Run(() => ModelAssessment.Assess(model, schema, test, $"{dataset.Description}, test split",
            new ModelAssessment.ModelFacts(Path.GetFileNameWithoutExtension(path), ModelInspector.Describe(model), path, null, null, curves, note),
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
        await env.Out.WriteAsync(result.Metrics.ToString()).ConfigureAwait(false);
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Single-image latency {ReportWriter.Latency(result.LatencyMicroseconds ?? double.NaN)}, model {ReportWriter.Bytes(result.ModelBytes ?? 0)}.")).ConfigureAwait(false);
        return CliApp.Success;
    }
}
