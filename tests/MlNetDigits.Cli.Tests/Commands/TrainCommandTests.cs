using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlNetDigits.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class TrainCommandTests(TrainedModels models) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TrainSdca_Json_PrintsOneDocumentWithMetricsAndTrainSeconds()
    {
        var (code, output, error) = models.Sdca;

        Assert.True(code == 0, error);
        using var doc = TrainedModels.Parse(output);
        TrainedModels.AssertMetricsDocument(doc.RootElement, 1000);
        Assert.True(doc.RootElement.GetProperty("trainSeconds").GetDouble() > 0);
        Assert.Equal("sdca", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("seed").GetInt32());
        // A linear model on 2,000 sample digits gets most of the 1,000 test digits right.
        Assert.InRange(doc.RootElement.GetProperty("microAccuracy").GetDouble(), 0.8, 1);
        // Progress went to stderr, so stdout held the document alone.
        Assert.Contains("Training SDCA maximum entropy", error);
    }

    [Fact]
    public void TrainCnn_Json_RecordsEpochCurvesAndSavesTheModelWithoutLeavingTheDefaultCheckpoint()
    {
        var (code, output, error) = models.Cnn;

        Assert.True(code == 0, error);
        using var doc = TrainedModels.Parse(output);
        TrainedModels.AssertMetricsDocument(doc.RootElement, 1000);
        Assert.True(doc.RootElement.GetProperty("trainSeconds").GetDouble() > 0);
        var curves = doc.RootElement.GetProperty("curves").EnumerateArray().Select(c => c.GetProperty("title").GetString()).ToList();
        Assert.Equal(["Loss", "Accuracy"], curves);
        Assert.Contains("ImageClassification epoch 1/1", error);
        Assert.True(File.Exists(models.CnnPath));
        Assert.False(Directory.Exists(Path.ChangeExtension(models.CnnPath, ".checkpoint")));
    }

    [Fact]
    public void Train_WritesMetricsFileNextToTheModelEqualToTheJsonOutput()
    {
        var metrics = Path.ChangeExtension(models.SdcaPath, ".metrics.json");

        Assert.True(File.Exists(metrics));
        Assert.Equal(models.Sdca.Out.Trim(), File.ReadAllText(metrics).Trim());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(models.SdcaPath)!, "*.tmp"));
    }

    [Fact]
    public async Task TrainSdca_WithoutJson_PrintsMetricsTableAndWhereTheFilesAre()
    {
        var model = Path.Combine(_temp.Path, "linear.zip");

        var (code, output, error) = await CliRunner.RunAsync(["train", "--trainer", "sdca", "--data", "sample", "--seed", "2", "--epochs", "8", "--out", model]);

        Assert.True(code == 0, error);
        Assert.Matches(new Regex(@"^MicroAccuracy\s+0\.\d{4}", RegexOptions.Multiline), output);
        Assert.Contains("Confusion table", output);
        // ML.NET's SDCA log (MLContext.Log) is shown as its progress.
        Assert.Contains("SdcaMaximumEntropy: Auto-tuning parameters: L2", output);
        Assert.Contains($"Model: {model}", output);
        Assert.True(File.Exists(Path.Combine(_temp.Path, "linear.metrics.json")));
    }

    [Fact]
    public async Task TrainCnn_CancelledAfterAnEpoch_KeepsCheckpointAndPrintsAResumeCommandThatFinishes()
    {
        var data = TinyDigits.Create(Path.Combine(_temp.Path, "tiny"));
        var model = Path.Combine(_temp.Path, "cnn.zip");
        var checkpoint = Path.Combine(_temp.Path, "ckpt");
        using var cancel = new CancellationTokenSource();
        // Ctrl+C as soon as the first epoch has been reported (its checkpoint is written before the report).
        var output = new TriggerWriter("ImageClassification epoch 1/2:", cancel);

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--epochs", "2", "--data", data, "--seed", "3",
            "--threads", "1", "--checkpoint", checkpoint, "--out", model], output: output, cancellationToken: cancel.Token);

        Assert.Equal(1, code);
        Assert.Contains("training stopped", error);
        Assert.False(File.Exists(model));
        Assert.True(File.Exists(Path.Combine(checkpoint, "checkpoint.zip")));
        var resume = Regex.Match(error, @"^  mlnetdigits (train .*)$", RegexOptions.Multiline);
        Assert.True(resume.Success, error);
        Assert.Contains($"--resume {checkpoint}", resume.Groups[1].Value);
        Assert.Contains("--seed 3", resume.Groups[1].Value);

        var (resumedCode, resumedOut, resumedError) = await CliRunner.RunAsync(resume.Groups[1].Value.Split(' '));

        Assert.True(resumedCode == 0, resumedError);
        Assert.Contains("resumed from", resumedOut);
        Assert.DoesNotContain("ImageClassification epoch 1/2:", resumedOut);
        Assert.Contains("ImageClassification epoch 2/2:", resumedOut);
        Assert.True(File.Exists(model));
    }

    [Fact]
    public async Task TrainSdca_Cancelled_StopsWithoutSavingAndSaysToRunAgain()
    {
        var model = Path.Combine(_temp.Path, "sdca.zip");
        using var cancel = new CancellationTokenSource();
        // Ctrl+C as soon as ML.NET's SDCA logs its first message (it is training then).
        var output = new TriggerWriter("SdcaMaximumEntropy: ", cancel);

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "sdca", "--epochs", "3", "--data", "sample", "--seed", "4", "--out", model],
            output: output, cancellationToken: cancel.Token);

        Assert.Equal(1, code);
        Assert.Contains("training stopped (Ctrl+C); no model was saved", error);
        Assert.Contains("SDCA keeps no checkpoints; run the same command again.", error);
        Assert.False(File.Exists(model));
    }

    [Theory]
    [InlineData(new[] { "train", "--trainer", "sdca" }, "--out")]
    [InlineData(new[] { "train", "--trainer", "forest", "--out", "m.zip" }, "forest")]
    [InlineData(new[] { "train", "--trainer", "cnn", "--preset", "huge", "--out", "m.zip" }, "huge")]
    [InlineData(new[] { "train", "--trainer", "sdca", "--optimizer", "adam", "--out", "m.zip" }, "--optimizer applies to --trainer cnn only")]
    [InlineData(new[] { "train", "--trainer", "cnn", "--optimizer", "rmsprop", "--out", "m.zip" }, "--optimizer must be one of sgd, adam")]
    [InlineData(new[] { "train", "--trainer", "cnn", "--epochs", "0", "--out", "m.zip" }, "--epochs must be between 1 and 10000")]
    [InlineData(new[] { "train", "--trainer", "cnn", "--epochs", "two", "--out", "m.zip" }, "two")]
    [InlineData(new[] { "train", "--trainer", "sdca", "--checkpoint", "ck", "--out", "m.zip" }, "--checkpoint and --resume apply to --trainer cnn only")]
    public async Task Train_GivenBadArguments_ExitsWithUsageErrorNamingTheProblem(string[] args, string expected)
    {
        var (code, output, error) = await CliRunner.RunAsync([.. args, "--data", "sample"]);

        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("Exception", error);
        Assert.DoesNotContain("Training", output);
    }

    [Fact]
    public async Task Train_ResumeFromMissingCheckpoint_FailsWithClearMessage()
    {
        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--data", "sample", "--resume", Path.Combine(_temp.Path, "nowhere"),
            "--out", Path.Combine(_temp.Path, "m.zip")]);

        Assert.Equal(1, code);
        Assert.Contains("No checkpoint to resume from", error);
    }

    [Fact]
    public async Task Train_GivenMissingDataFolder_FailsWithClearMessage()
    {
        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "sdca", "--data", Path.Combine(_temp.Path, "no-such-folder"),
            "--out", Path.Combine(_temp.Path, "m.zip")]);

        Assert.Equal(1, code);
        Assert.Contains("not found", error);
    }

    /// <summary>Cancels <paramref name="cancel"/> when a line containing <paramref name="trigger"/> is written.</summary>
    private sealed class TriggerWriter(string trigger, CancellationTokenSource cancel) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.Contains(trigger, StringComparison.Ordinal))
                cancel.Cancel();
        }
    }
}
