using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits.Cli.Tests.Commands;

/// <summary><c>train --corrections DB --model BASE.zip --out NEW.zip</c>: fine-tuning a trained CNN on people's corrections.</summary>
[Collection(TrainedModelsCollection.Name)]
public sealed class TrainCorrectionsTests(TrainedModels models) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A copy of the shared sample-trained CNN, so that a test can check its file is left as it was.</summary>
    private string CopyOfCnn()
    {
        Assert.True(models.Cnn.ExitCode == 0, models.Cnn.Error);
        var copy = Path.Combine(_temp.Path, "base", "cnn.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(models.CnnPath, copy);
        return copy;
    }

    /// <summary>
    /// Stores as corrections, with their true labels, the first <paramref name="count"/> images of the sample's training
    /// split that <paramref name="modelPath"/> gets wrong: what a user correcting its mistakes would store (no test image,
    /// so the test figures are not flattered).
    /// </summary>
    private string CorrectionsOfMistakes(string modelPath, int count)
    {
        var ml = new MLContext(0);
        var model = ml.Model.Load(modelPath, out _);
        var images = ml.Data.LoadFromIdxFolder(CliRunner.SampleFolder, DatasetSplit.Train);
        var labels = ml.Data.CreateEnumerable<LabelRow>(images, reuseRowObject: false).Select(r => r.Label).ToList();
        var scored = model.Transform(images);
        var path = Path.Combine(_temp.Path, "corrections.db");
        var store = CorrectionStore.Open(path);
        using var cursor = scored.GetRowCursor(scored.Schema);
        var getImage = cursor.GetGetter<VBuffer<float>>(scored.Schema["Image"]);
        var getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        VBuffer<float> image = default, score = default;
        while (store.Count() < count && cursor.MoveNext())
        {
            getScore(ref score);
            var scores = score.DenseValues().ToArray();
            int predicted = Array.IndexOf(scores, scores.Max());
            var label = labels[(int)cursor.Position];
            if (predicted == label)
                continue;
            getImage(ref image);
            store.Add(label, image.DenseValues().ToArray(), predicted.ToString(CultureInfo.InvariantCulture), "cnn", "test");
        }
        Assert.Equal(count, store.Count());
        return path;
    }

    private sealed class LabelRow
    {
        public uint Label { get; set; }
    }

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public async Task FineTune_OnCorrectionsOfItsMistakes_LearnsThemAndLeavesTheBaseModelUntouched()
    {
        var baseModel = CopyOfCnn();
        var baseHash = Hash(baseModel);
        var corrections = CorrectionsOfMistakes(baseModel, 8);
        var data = TinyDigits.Create(Path.Combine(_temp.Path, "tiny"));
        var tuned = Path.Combine(_temp.Path, "base", "cnn-tuned.zip");

        var (code, output, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", corrections, "--model", baseModel,
            "--out", tuned, "--data", data, "--repeat", "30", "--epochs", "5", "--learning-rate", "0.005", "--seed", "1", "--threads", "2", "--max-test-drop", "100", "--json"]);

        Assert.True(code == 0, error);
        using var doc = TrainedModels.Parse(output);
        var fineTune = doc.RootElement.GetProperty("fineTune");
        Assert.Equal(8, fineTune.GetProperty("correctionCount").GetInt32());
        Assert.Equal(0, fineTune.GetProperty("correctionsRightBefore").GetInt32());
        var rightAfter = fineTune.GetProperty("correctionsRightAfter").GetInt32();
        // 8 of 8 here (2026-12-03); 6 leaves room for another machine's rounding.
        Assert.True(rightAfter >= 6, $"only {rightAfter} of 8 corrections right after fine-tuning");
        Assert.Equal(100, fineTune.GetProperty("testRows").GetInt32());
        Assert.InRange(fineTune.GetProperty("testAccuracyBefore").GetDouble(), 0.3, 1);
        Assert.True(fineTune.GetProperty("accepted").GetBoolean());
        Assert.Equal(tuned, fineTune.GetProperty("savedAs").GetString());
        Assert.True(File.Exists(tuned));
        Assert.True(File.Exists(Path.Combine(_temp.Path, "base", "cnn-tuned.metrics.json")));
        Assert.Equal(baseHash, Hash(baseModel));
        Assert.NotEqual(baseHash, Hash(tuned));
    }

    [Fact]
    public async Task FineTune_WithoutJson_PrintsCorrectionsAndTestAccuracyBeforeAndAfter()
    {
        var baseModel = CopyOfCnn();
        var corrections = CorrectionsOfMistakes(baseModel, 3);
        var data = TinyDigits.Create(Path.Combine(_temp.Path, "tiny"));
        var tuned = Path.Combine(_temp.Path, "tuned.zip");

        var (code, output, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", corrections, "--model", baseModel,
            "--out", tuned, "--data", data, "--repeat", "5", "--seed", "1", "--threads", "2", "--max-test-drop", "100"]);

        Assert.True(code == 0, error);
        Assert.Matches(@"corrections \(3\)\s+0\.0 %\s+\d+\.\d %\s+[+ -]\d+\.\d points\s+0 -> \d right", output);
        Assert.Matches(@"test \(100\)\s+\d+\.\d\d %\s+\d+\.\d\d %\s+[+ -]\d+\.\d\d points\s+\d+ -> \d+ errors", output);
        Assert.Contains($"{baseModel} is unchanged", output);
    }

    [Fact]
    public async Task FineTune_TestAccuracyFallsTooFar_SavesTheModelAsRejectedNotAsOutAndFails()
    {
        var baseModel = CopyOfCnn();
        var baseHash = Hash(baseModel);
        var corrections = CorrectionsOfMistakes(baseModel, 4);
        var data = TinyDigits.Create(Path.Combine(_temp.Path, "tiny"));
        var tuned = Path.Combine(_temp.Path, "tuned.zip");

        // A learning rate of 5 wrecks the weights, so the test accuracy falls far more than the 0 points allowed.
        var (code, output, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", corrections, "--model", baseModel,
            "--out", tuned, "--data", data, "--repeat", "10", "--learning-rate", "5", "--seed", "1", "--threads", "2", "--max-test-drop", "0"]);

        Assert.Equal(1, code);
        Assert.Contains("Rejected: the test accuracy fell by more than 0 points", output);
        Assert.Contains($"the fine-tuned model was not saved as {tuned}", error);
        Assert.False(File.Exists(tuned));
        Assert.True(File.Exists(Path.Combine(_temp.Path, "tuned.rejected.zip")));
        Assert.Equal(baseHash, Hash(baseModel));
    }

    [Fact]
    public async Task FineTune_OutIsTheBaseModel_RefusesEvenWithForceAndLeavesItUntouched()
    {
        var baseModel = CopyOfCnn();
        var hash = Hash(baseModel);
        var corrections = CorrectionsOfMistakes(baseModel, 1);

        var (code, output, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", corrections, "--model", baseModel,
            "--out", baseModel, "--force", "--data", "sample"]);

        Assert.Equal(2, code);
        Assert.Contains("would replace the initial model", error);
        Assert.Contains("never over it", error);
        Assert.Equal("", output);
        Assert.Equal(hash, Hash(baseModel));
    }

    [Fact]
    public async Task FineTune_OutExistsWithoutForce_RefusesAndKeepsTheFile()
    {
        var baseModel = CopyOfCnn();
        var corrections = CorrectionsOfMistakes(baseModel, 1);
        var existing = Path.Combine(_temp.Path, "base", "cnn-tuned.zip");
        File.WriteAllText(existing, "an earlier fine-tune");

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", corrections, "--model", baseModel,
            "--out", existing, "--data", "sample"]);

        Assert.Equal(2, code);
        Assert.Contains($"'{existing}' already exists; pass --force to replace it", error);
        Assert.Contains($"--out {Path.Combine(_temp.Path, "base", "cnn-tuned-2.zip")}", error);
        Assert.Equal("an earlier fine-tune", File.ReadAllText(existing));
    }

    [Fact]
    public async Task FineTune_MissingDatabase_SaysWhereItLookedAndCreatesNothing()
    {
        var baseModel = CopyOfCnn();
        var missing = Path.Combine(_temp.Path, "no-such.db");

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", missing, "--model", baseModel,
            "--out", Path.Combine(_temp.Path, "tuned.zip"), "--data", "sample"]);

        Assert.Equal(1, code);
        Assert.Contains($"No corrections database at '{missing}'", error);
        Assert.DoesNotContain("unexpected", error);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task FineTune_EmptyDatabase_SaysThereIsNothingToFineTuneOn()
    {
        var baseModel = CopyOfCnn();
        var empty = Path.Combine(_temp.Path, "empty.db");
        CorrectionStore.Open(empty);
        var tuned = Path.Combine(_temp.Path, "tuned.zip");

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", empty, "--model", baseModel,
            "--out", tuned, "--data", "sample"]);

        Assert.Equal(1, code);
        Assert.Contains("holds no corrections", error);
        Assert.False(File.Exists(tuned));
    }

    [Fact]
    public async Task FineTune_FileThatIsNotADatabase_SaysSo()
    {
        var baseModel = CopyOfCnn();
        var notes = Path.Combine(_temp.Path, "notes.db");
        File.WriteAllText(notes, "these are notes, not an SQLite database; long enough to fill a header page");

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", notes, "--model", baseModel,
            "--out", Path.Combine(_temp.Path, "tuned.zip"), "--data", "sample"]);

        Assert.Equal(1, code);
        Assert.Contains($"'{notes}' is not a corrections database", error);
        Assert.DoesNotContain("unexpected", error);
    }

    [Fact]
    public async Task FineTune_SdcaBaseModel_SaysOnlyACnnCanBeFineTuned()
    {
        var baseModel = CopyOfCnn();
        var corrections = CorrectionsOfMistakes(baseModel, 1);
        Assert.True(models.Sdca.ExitCode == 0, models.Sdca.Error);
        var tuned = Path.Combine(_temp.Path, "tuned.zip");

        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", "--corrections", corrections, "--model", models.SdcaPath,
            "--out", tuned, "--data", "sample", "--data-dir", models.Folder]);

        Assert.Equal(1, code);
        Assert.Contains($"--model '{models.SdcaPath}' cannot be fine-tuned", error);
        Assert.DoesNotContain("unexpected", error);
        Assert.False(File.Exists(tuned));
    }

    [Theory]
    [InlineData(new[] { "--trainer", "sdca" }, "--corrections fine-tunes a CNN: use --trainer cnn")]
    [InlineData(new[] { "--trainer", "cnn", "--checkpoint", "ck" }, "--checkpoint and --resume do not apply with --corrections")]
    [InlineData(new[] { "--trainer", "cnn", "--repeat", "0" }, "--repeat must be between 1 and 10000")]
    public async Task FineTune_GivenBadArguments_ExitsWithUsageError(string[] args, string expected)
    {
        var (code, _, error) = await CliRunner.RunAsync(["train", .. args, "--corrections", "c.db", "--model", "m.zip", "--out", "new.zip", "--data", "sample"]);

        Assert.Equal(2, code);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("--model", "m.zip")]
    [InlineData("--repeat", "3")]
    public async Task Train_FineTuningOptionWithoutCorrections_IsAUsageError(string option, string value)
    {
        var (code, _, error) = await CliRunner.RunAsync(["train", "--trainer", "cnn", option, value, "--out", "new.zip", "--data", "sample"]);

        Assert.Equal(2, code);
        Assert.Contains($"{option} applies to fine-tuning only: add --corrections DB", error);
    }
}
