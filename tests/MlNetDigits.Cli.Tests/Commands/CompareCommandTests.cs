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
        Assert.True(File.Exists(Path.Combine(report, "cnn-curve-loss.svg")));
        Assert.Empty(Directory.GetFiles(report, "sdca-curve-*.svg"));
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
