using System.Text.RegularExpressions;

namespace MlNetDigits.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class EvaluateCommandTests(TrainedModels models) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Evaluate_Json_GivesTheSameMetricsAsTraining()
    {
        var (code, output, error) = await CliRunner.RunAsync(["evaluate", "--model", models.SdcaPath, "--data", "sample", "--json"]);

        Assert.True(code == 0, error);
        using var evaluated = TrainedModels.Parse(output);
        using var trained = TrainedModels.Parse(models.Sdca.Out);
        TrainedModels.AssertMetricsDocument(evaluated.RootElement, 1000);
        Assert.Equal(trained.RootElement.GetProperty("microAccuracy").GetDouble(), evaluated.RootElement.GetProperty("microAccuracy").GetDouble());
        Assert.Equal(trained.RootElement.GetProperty("logLoss").GetDouble(), evaluated.RootElement.GetProperty("logLoss").GetDouble());
        Assert.False(evaluated.RootElement.TryGetProperty("trainSeconds", out _));
    }

    [Fact]
    public async Task Evaluate_WithReport_WritesWellFormedHtmlMarkdownSvgAndGallery()
    {
        var report = Path.Combine(_temp.Path, "report");

        var (code, output, error) = await CliRunner.RunAsync(["evaluate", "--model", models.CnnPath, "--data", "sample", "--report", report]);

        Assert.True(code == 0, error);
        Assert.Contains("report.html", output);
        Assert.Matches(new Regex(@"^MicroAccuracy\s+0\.\d{4}", RegexOptions.Multiline), output);
        ReportAssertions.AssertWellFormed(report, "cnn");
        // The CNN's per-epoch history is charted from the model file.
        Assert.True(File.Exists(Path.Combine(report, "cnn-curve-loss.svg")));
        Assert.Contains("Per-epoch history stored in the model file", File.ReadAllText(Path.Combine(report, "report.md")));
    }

    [Fact]
    public async Task Evaluate_MissingModel_FailsWithClearMessage()
    {
        var missing = Path.Combine(_temp.Path, "missing.zip");

        var (code, _, error) = await CliRunner.RunAsync(["evaluate", "--model", missing, "--data", "sample"]);

        Assert.Equal(1, code);
        Assert.Contains($"Model file '{missing}' not found", error);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public async Task Evaluate_UnreadableModel_FailsWithClearMessage(string damage)
    {
        var path = Path.Combine(_temp.Path, damage + ".zip");
        var bytes = damage == "garbage" ? "this is not a model"u8.ToArray() : File.ReadAllBytes(models.SdcaPath)[..200];
        File.WriteAllBytes(path, bytes);

        var (code, _, error) = await CliRunner.RunAsync(["evaluate", "--model", path, "--data", "sample"]);

        Assert.Equal(1, code);
        Assert.Contains(path, error);
        Assert.Contains("not a readable zip", error);
        Assert.DoesNotContain("unexpected error", error);
    }

    [Fact]
    public async Task Evaluate_WithoutModelOption_IsAUsageError()
    {
        var (code, _, error) = await CliRunner.RunAsync(["evaluate", "--data", "sample"]);

        Assert.Equal(2, code);
        Assert.Contains("--model", error);
    }
}
