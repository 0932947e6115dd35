using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;

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
        Assert.True(File.Exists(Path.Combine(report, "charts", "curve-loss.svg")));
        Assert.Contains("Per-epoch history stored in the model file", File.ReadAllText(Path.Combine(report, "report.md")));
    }

    [Fact]
    public async Task Evaluate_CnnReport_GivesEachMistakeTheModelsNotADigitScoreAndNoProbabilityOf100Percent()
    {
        var report = Path.Combine(_temp.Path, "report");

        var (code, _, error) = await CliRunner.RunAsync(["evaluate", "--model", models.CnnPath, "--data", "sample", "--report", report]);

        Assert.True(code == 0, error);
        var html = File.ReadAllText(Path.Combine(report, "report.html"));
        // The CNN trained here has an out-of-distribution score: each gallery image's hover text gives it.
        var titles = Regex.Matches(html, "<img [^>]*title=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Where(t => t.Contains(": ")).ToList();
        Assert.NotEmpty(titles);
        Assert.All(titles, t => Assert.Matches(@"; not-a-digit score -?\d+\.\d\d", t));
        Assert.DoesNotContain("(100.0 %", html);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("compare")]
    [InlineData("predict")]
    public async Task ModelWithOverflowingWeights_Exits1NamingTheFileInsteadOfPrintingNaN(string command)
    {
        var poisoned = Path.Combine(_temp.Path, "overflowing.zip");
        WriteOverflowingModel(models.SdcaPath, poisoned);
        var png = Path.Combine(_temp.Path, "digit.png");
        File.WriteAllBytes(png, ImageCodec.EncodePng(GrayImage.FromBytes(28, 28, new byte[28 * 28])));
        string[] args = command switch
        {
            "evaluate" => ["evaluate", "--model", poisoned, "--data", "sample"],
            "compare" => ["compare", "--models", models.SdcaPath, poisoned, "--data", "sample"],
            _ => ["predict", "--model", poisoned, png],
        };

        var (code, output, error) = await CliRunner.RunAsync(args);

        Assert.Equal(1, code);
        Assert.Contains(poisoned, error);
        Assert.Contains("probabilit", error);
        Assert.DoesNotContain("unexpected error", error);
        Assert.DoesNotContain("NaN", output);
    }

    /// <summary>The model at <paramref name="source"/> behind a stage that multiplies every pixel by 3e38: finite weights whose every probability overflows to NaN.</summary>
    private static void WriteOverflowingModel(string source, string path)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(source, out var schema);
        var blowUp = ml.Transforms.Expression("Image", "x => x * 3e38", "Image").Fit(ml.Data.LoadFromIdxFolder(CliRunner.SampleFolder, DatasetSplit.Test));
        ml.Model.Save(new TransformerChain<ITransformer>([blowUp, .. (IEnumerable<ITransformer>)model]), schema, path);
    }

    [Fact]
    public async Task Evaluate_ReportIntoAFolderHoldingOtherFiles_Exits2AndLeavesItAlone()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "documents")).FullName;
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");

        var (code, output, error) = await CliRunner.RunAsync(["evaluate", "--model", models.SdcaPath, "--data", "sample", "--report", folder]);

        Assert.Equal(2, code);
        Assert.Contains($"--report '{folder}' already holds files that are not an mlnetdigits report (e.g. notes.txt)", error);
        Assert.DoesNotContain("Evaluating", output);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Evaluate_ReportIntoAnEarlierReport_ReplacesItRemovingItsStaleChartsAndTemporaryFiles()
    {
        var report = Path.Combine(_temp.Path, "report");
        var (firstCode, _, firstError) = await CliRunner.RunAsync(["evaluate", "--model", models.CnnPath, "--data", "sample", "--report", report]);
        Assert.True(firstCode == 0, firstError);
        File.WriteAllText(Path.Combine(report, "notes.txt"), "kept");
        // Left by a run killed while writing: temporary files of a process that no longer runs.
        string[] leftovers = [".report.html.2147483646.tmp", "charts/.sdca-confusion.svg.2147483646.tmp", "misclassified/.sdca-01-row3.png.2147483646.tmp"];
        foreach (var leftover in leftovers)
            File.WriteAllText(Path.Combine(report, leftover), "half-written");

        var (code, _, error) = await CliRunner.RunAsync(["evaluate", "--model", models.SdcaPath, "--data", "sample", "--report", report]);

        Assert.True(code == 0, error);
        ReportAssertions.AssertWellFormed(report, "sdca");
        Assert.Empty(Directory.GetFiles(Path.Combine(report, "charts"), "cnn-*"));
        Assert.Empty(Directory.GetFiles(Path.Combine(report, "misclassified"), "cnn-*"));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(report, "notes.txt")));
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
