using System.Text.Json;
using System.Text.RegularExpressions;
using MlNetDigits.Cli.Commands;

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
    public async Task TrainCnn_CancelledAfterAnEpoch_KeepsCheckpointAndPrintsAResumeCommandThatRepeatsEveryOptionAndFinishes()
    {
        var data = TinyDigits.Create(Path.Combine(_temp.Path, "tiny"));
        var root = Directory.CreateDirectory(Path.Combine(_temp.Path, "data root")).FullName;
        var model = Path.Combine(_temp.Path, "cnn.zip");
        var checkpoint = Path.Combine(_temp.Path, "ckpt");
        using var cancel = new CancellationTokenSource();
        // Ctrl+C as soon as the first epoch has been reported (its checkpoint is written before the report); with --json
        // the progress goes to stderr.
        var error = new TriggerWriter("ImageClassification epoch 1/2:", cancel);
        string[] args = ["train", "--trainer", "cnn", "--preset", "fast", "--epochs", "2", "--optimizer", "adam", "--data", data, "--data-dir", root,
            "--seed", "3", "--threads", "1", "--checkpoint", checkpoint, "--out", model, "--force", "--json"];

        var (code, output, _) = await CliRunner.RunAsync(args, error: error, cancellationToken: cancel.Token);

        var stderr = error.ToString();
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("training stopped", stderr);
        Assert.False(File.Exists(model));
        Assert.True(File.Exists(Path.Combine(checkpoint, "checkpoint.zip")));
        var resume = Regex.Match(stderr, @"^  mlnetdigits (train .*)$", RegexOptions.Multiline);
        Assert.True(resume.Success, stderr);
        var words = await ShellWordsAsync(resume.Groups[1].Value);
        var app = new CliApp(new CliEnvironment { Out = TextWriter.Null, Error = TextWriter.Null });
        var interrupted = TrainCommand.Read(app.Root.Parse(args));
        Assert.Equal(interrupted.Settings with { ResumeFrom = checkpoint }, TrainCommand.Read(app.Root.Parse(words)).Settings);
        Assert.Equal(interrupted with { Settings = interrupted.Settings with { ResumeFrom = checkpoint } }, TrainCommand.Read(app.Root.Parse(words)));

        var (resumedCode, resumedOut, resumedError) = await CliRunner.RunAsync(words);

        Assert.True(resumedCode == 0, resumedError);
        Assert.Contains("resumed from", resumedError);
        Assert.DoesNotContain("ImageClassification epoch 1/2:", resumedError);
        Assert.Contains("ImageClassification epoch 2/2:", resumedError);
        using var metrics = TrainedModels.Parse(resumedOut);
        Assert.Equal(3, metrics.RootElement.GetProperty("seed").GetInt32());
        Assert.True(File.Exists(model));
    }

    [Theory]
    [InlineData("every option, paths with a space and a quote", true)]
    [InlineData("defaults, relative paths", false)]
    public async Task ResumeArguments_ThroughAShellAndParsedAgain_GiveTheSameRunFromAnyFolder(string _, bool everyOption)
    {
        var env = new CliEnvironment { Out = TextWriter.Null, Error = TextWriter.Null, DefaultDataRoot = Path.Combine(_temp.Path, "default root") };
        var app = new CliApp(env);
        var odd = Path.Combine(_temp.Path, "it's here");
        string[] args = everyOption
            ? ["train", "--trainer", "cnn", "--preset", "classic", "--epochs", "7", "--optimizer", "adamw", "--seed", "42", "--threads", "3", "--backend", "openblas",
               "--data", Path.Combine(odd, "idx"), "--data-dir", Path.Combine(odd, "root"), "--checkpoint", Path.Combine(odd, "ckpt"),
               "--out", Path.Combine(odd, "m.zip"), "--json", "--force"]
            : ["train", "--trainer", "cnn", "--data", "some/idx", "--out", "models-of-mine/m.zip"];
        var interrupted = TrainCommand.Read(app.Root.Parse(args));
        var checkpoint = interrupted.Settings.CheckpointDirectory ?? TrainCommand.DefaultCheckpoint(interrupted.OutPath);

        var printed = TrainCommand.ResumeArguments(interrupted, env.DataRoot(interrupted.DataDir), checkpoint);
        var resumed = TrainCommand.Read(app.Root.Parse(await ShellWordsAsync(string.Join(' ', printed.Select(TrainCommand.Quote)))));

        // The same run: the same learner settings, data, data root, model file and output, wherever it is run from.
        Assert.Equal(Effective(interrupted, env) with { Settings = Effective(interrupted, env).Settings with { ResumeFrom = Path.GetFullPath(checkpoint) } },
            Effective(resumed, env) with { SeedGiven = interrupted.SeedGiven });
        Assert.All(new[] { resumed.OutPath, resumed.DataDir!, resumed.Settings.ResumeFrom! }, path => Assert.True(Path.IsPathRooted(path), path));
    }

    /// <summary>A request with every path made absolute and the data root spelled out, as the run sees them.</summary>
    private static TrainRequest Effective(TrainRequest r, CliEnvironment env) => r with
    {
        DataName = DatasetLocator.IsKnownName(r.DataName) ? r.DataName : Path.GetFullPath(r.DataName),
        DataDir = env.DataRoot(r.DataDir).Folder,
        OutPath = Path.GetFullPath(r.OutPath),
        Settings = r.Settings with { CheckpointDirectory = r.Settings.CheckpointDirectory is { } c ? Path.GetFullPath(c) : null },
    };

    /// <summary>The words bash makes of <paramref name="commandLine"/>, as a user pasting it would run it.</summary>
    private static async Task<string[]> ShellWordsAsync(string commandLine)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("printf '%s\\0' " + commandLine);
        using var bash = System.Diagnostics.Process.Start(start)!;
        var words = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, await bash.StandardError.ReadToEndAsync());
        return words.TrimEnd('\0').Split('\0');
    }

    [Fact]
    public async Task TrainCnn_Sigterm_StopsLikeCtrlCKeepingTheCheckpointAndPrintingTheResumeCommand()
    {
        var data = TinyDigits.Create(Path.Combine(_temp.Path, "tiny"));
        var model = Path.Combine(_temp.Path, "cnn.zip");
        var checkpoint = Path.Combine(_temp.Path, "ckpt");
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Far more epochs than the test lets it run: SIGTERM comes right after the first one.
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "MlNetDigits.Cli.dll"), "train", "--trainer", "cnn", "--epochs", "500",
            "--data", data, "--seed", "5", "--threads", "1", "--checkpoint", checkpoint, "--out", model })
            start.ArgumentList.Add(arg);
        start.Environment["MLNETDIGITS_DATA"] = Path.Combine(_temp.Path, "no-data");
        using var cli = System.Diagnostics.Process.Start(start)!;
        var stderr = cli.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // a hang fails the test instead of stalling the run
        try
        {
            while (await cli.StandardOutput.ReadLineAsync(patience.Token) is { } line && !line.Contains("ImageClassification epoch 1/500:", StringComparison.Ordinal))
            {
            }
            Assert.Equal(0, Kill(cli.Id, Sigterm));
            await cli.StandardOutput.ReadToEndAsync(patience.Token);
            await cli.WaitForExitAsync(patience.Token);
        }
        finally
        {
            if (!cli.HasExited)
                cli.Kill();
        }

        var error = await stderr;
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("SIGTERM received", error);
        Assert.Contains("training stopped", error);
        Assert.Matches(@"(?m)^  mlnetdigits train .*--resume " + Regex.Escape(checkpoint), error);
        Assert.True(File.Exists(Path.Combine(checkpoint, "checkpoint.zip")));
        Assert.False(File.Exists(model));
    }

    private const int Sigterm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [Fact]
    public async Task Train_OutExistsWithoutForce_Exits2KeepingTheModelAndItsMetrics()
    {
        var model = Path.Combine(_temp.Path, "sdca.zip");
        File.WriteAllText(model, "a model someone cares about");
        File.WriteAllText(Path.Combine(_temp.Path, "sdca.metrics.json"), "{}");

        var (code, output, error) = await CliRunner.RunAsync(["train", "--trainer", "sdca", "--data", "sample", "--out", model]);

        Assert.Equal(2, code);
        Assert.Contains($"'{model}' already exists; pass --force to replace it", error);
        Assert.DoesNotContain("Training", output);
        Assert.Equal("a model someone cares about", File.ReadAllText(model));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(_temp.Path, "sdca.metrics.json")));
    }

    [Fact]
    public async Task Train_OutExistsWithForce_ReplacesTheModelAndItsMetricsAndRemovesTemporaryFilesOfAKilledRun()
    {
        var model = Path.Combine(_temp.Path, "sdca.zip");
        var metrics = Path.Combine(_temp.Path, "sdca.metrics.json");
        File.WriteAllText(model, "old model");
        File.WriteAllText(metrics, "old metrics");
        // What kill -9 (or a full disk) left behind: temporary files of a process that no longer runs, and one of an older naming.
        string[] leftovers = [".sdca.zip.2147483646.tmp", ".sdca.metrics.json.2147483646.tmp", $".sdca.zip.{Guid.NewGuid():N}.tmp"];
        foreach (var leftover in leftovers)
            File.WriteAllText(Path.Combine(_temp.Path, leftover), "half-written");

        var (code, output, error) = await CliRunner.RunAsync(["train", "--trainer", "sdca", "--epochs", "8", "--data", "sample", "--seed", "2", "--out", model, "--force", "--json"]);

        Assert.True(code == 0, error);
        Assert.NotEqual("old model", File.ReadAllText(model));
        Assert.Equal(output.Trim(), File.ReadAllText(metrics).Trim());
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public async Task Train_StoppedBetweenSavingTheModelAndWritingItsMetrics_LeavesNoOldMetricsBesideTheNewModel()
    {
        var model = Path.Combine(_temp.Path, "sdca.zip");
        var metrics = Path.Combine(_temp.Path, "sdca.metrics.json");
        File.WriteAllText(model, "old model");
        File.WriteAllText(metrics, "old metrics, of the old model");
        using var cancel = new CancellationTokenSource();
        // Stopped the moment the new model is in place (as a kill would), before its metrics are measured.
        var output = new TriggerWriter($"saved {model}", cancel);

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "sdca", "--epochs", "8", "--data", "sample", "--seed", "2", "--out", model, "--force"],
            output: output, cancellationToken: cancel.Token);

        Assert.Equal(1, code);
        Assert.NotEqual("old model", File.ReadAllText(model));
        Assert.False(File.Exists(metrics), "the old model's metrics were left beside the new model");
        Assert.Contains($"mlnetdigits evaluate --model {model}", error);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
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
        Assert.Contains("training stopped (Ctrl+C or SIGTERM); no model was saved", error);
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
