using System.Text.RegularExpressions;
using System.Text.Json;

namespace MlNetDigits.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class CompareCommandTests(TrainedModels models) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Compare_TrainsBothLearnersAndPrintsThemSideBySideWithAReport()
    {
        var report = Path.Combine(_temp.Path, "compare");
        var data = TinyDigits.Create(Path.Combine(_temp.Path, "tiny"));

        var (code, output, error) = await CliRunner.RunAsync(["compare", "--data", data, "--epochs", "2", "--sdca-iterations", "10", "--threads", "2", "--report", report]);

        Assert.True(code == 0, error);
        var header = output.Split('\n').First(l => l.Contains("sdca", StringComparison.Ordinal) && l.Contains("cnn", StringComparison.Ordinal));
        Assert.True(header.IndexOf("sdca", StringComparison.Ordinal) < header.IndexOf("cnn", StringComparison.Ordinal));
        foreach (var row in new[] { "micro accuracy", "macro accuracy", "log-loss", "calibration error (ECE)", "training time", "single-image latency", "model size" })
            Assert.Contains(row, output);
        Assert.Equal(2, output.Split("Confusion table").Length - 1);
        Assert.Matches(@"(?m)^CNN makes \d+\.\dx (fewer|more) errors than SDCA \(\d+ vs \d+ of 100 test images\)\.$", output);
        Assert.Contains("cnn vs sdca:", output);
        // ML.NET's SDCA reports through MLContext.Log, the CNN through its MetricsCallback.
        Assert.Contains("SdcaMaximumEntropy: Auto-tuning parameters", output);
        Assert.Contains("ImageClassification epoch 2/2", output);
        ReportAssertions.AssertWellFormed(report, "sdca", "cnn");
        // The CNN's epochs were recorded during the run and charted; ML.NET's SDCA has none to chart, and the report says so.
        var loss = File.ReadAllText(Path.Combine(report, "charts", "curve-loss.svg"));
        Assert.Contains("cnn: training (epoch mean)", loss);
        Assert.DoesNotContain("sdca:", loss);
        Assert.Contains("SdcaMaximumEntropy reports no per-iteration figures", File.ReadAllText(Path.Combine(report, "report.md")));
        Assert.True(File.Exists(Path.Combine(report, "models", "sdca.zip")));
        Assert.True(File.Exists(Path.Combine(report, "models", "cnn.zip")));
    }

    [Fact]
    public async Task Compare_WithModelsAndJson_PrintsOneObjectPerLearner()
    {
        var (code, output, error) = await CliRunner.RunAsync(["compare", "--models", models.SdcaPath, models.CnnPath, "--data", "sample", "--json"]);

        Assert.True(code == 0, error);
        using var doc = TrainedModels.Parse(output);
        var learners = doc.RootElement.GetProperty("learners").EnumerateArray().ToList();
        Assert.Equal(2, learners.Count);
        Assert.Equal(["sdca", "cnn"], learners.Select(l => l.GetProperty("name").GetString()));
        foreach (var learner in learners)
        {
            TrainedModels.AssertMetricsDocument(learner, 1000);
            Assert.True(learner.GetProperty("latencyMicroseconds").GetDouble() > 0);
            Assert.Equal(new FileInfo(learner.GetProperty("model").GetString()!).Length, learner.GetProperty("modelBytes").GetInt64());
        }
    }

    [Fact]
    public async Task Compare_WithReport_PutsTheModelsSideBySide()
    {
        var again = Path.Combine(_temp.Path, "cnn-again.zip");
        File.Copy(models.CnnPath, again);
        var report = Path.Combine(_temp.Path, "side-by-side");

        var (code, _, error) = await CliRunner.RunAsync(["compare", "--models", models.CnnPath, again, "--data", "sample", "--report", report]);

        Assert.True(code == 0, error);
        ReportAssertions.AssertWellFormed(report, "cnn", "cnn-again");
        var html = File.ReadAllText(Path.Combine(report, "report.html"));
        // The metrics: one column per model.
        Assert.Contains("<tr><th>metric</th><th>cnn</th><th>cnn-again</th></tr>", html);
        // Confusion matrices, reliability diagrams and mistakes: one row of two columns each, first model on the left.
        foreach (var (section, left, right) in new[]
        {
            ("Confusion matrices", "charts/cnn-confusion.svg", "charts/cnn-again-confusion.svg"),
            ("Calibration", "charts/cnn-reliability.svg", "charts/cnn-again-reliability.svg"),
            ("Most confident mistakes", "misclassified/cnn-01-", "misclassified/cnn-again-01-"),
        })
        {
            var block = Regex.Match(html, $"<h2>{section}</h2>(.*?)(?:<h2>|</body>)", RegexOptions.Singleline).Groups[1].Value;
            var row = block.IndexOf("<div class=\"side\" style=\"--n:2\">", StringComparison.Ordinal);
            Assert.True(row >= 0, $"no row of two columns under '{section}'");
            Assert.InRange(block.IndexOf(left, StringComparison.Ordinal), row, block.IndexOf(right, StringComparison.Ordinal));
        }
        // The training curves of both models in one chart per measure.
        var loss = File.ReadAllText(Path.Combine(report, "charts", "curve-loss.svg"));
        Assert.Contains("cnn: training (epoch mean)", loss);
        Assert.Contains("cnn-again: training (epoch mean)", loss);
        var markdown = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("| cnn | cnn-again |\n|---|---|\n| ![cnn: confusion matrix](charts/cnn-confusion.svg) | ![cnn-again: confusion matrix](charts/cnn-again-confusion.svg) |", markdown);
    }

    [Fact]
    public async Task Compare_WithOneModel_IsAUsageError()
    {
        var (code, _, error) = await CliRunner.RunAsync(["compare", "--models", models.SdcaPath, "--data", "sample"]);

        Assert.Equal(2, code);
        Assert.Contains("--models", error);
    }

    [Fact]
    public async Task Compare_WithMissingModel_FailsBeforeTraining()
    {
        var missing = Path.Combine(_temp.Path, "nope.zip");

        var (code, output, error) = await CliRunner.RunAsync(["compare", "--models", models.SdcaPath, missing, "--data", "sample"]);

        Assert.Equal(1, code);
        Assert.Contains("not found", error);
        Assert.Equal("", output);
    }
}
