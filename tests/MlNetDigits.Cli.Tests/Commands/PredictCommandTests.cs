using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class PredictCommandTests(TrainedModels models) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Writes the first <paramref name="count"/> test digits of the sample as PNGs named "{row}-label{L}.png".</summary>
    private List<(string File, uint Label)> WriteSamplePngs(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var view = new MLContext(0).Data.LoadFromIdxFolder(CliRunner.SampleFolder, DatasetSplit.Test);
        var files = new List<(string, uint)>();
        using var cursor = view.GetRowCursor(view.Schema);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        var getImage = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
        uint label = 0;
        VBuffer<float> image = default;
        // Every 97th row, so the digits are varied.
        while (cursor.MoveNext() && files.Count < count)
        {
            if (cursor.Position % 97 != 0)
                continue;
            getLabel(ref label);
            getImage(ref image);
            var bytes = image.GetValues().ToArray().Select(v => (byte)v).ToArray();
            var file = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{cursor.Position:0000}-label{label}.png"));
            File.WriteAllBytes(file, ImageCodec.EncodePng(GrayImage.FromBytes(28, 28, bytes)));
            files.Add((file, label));
        }
        return files;
    }

    [Fact]
    public async Task Predict_FolderWithJson_GivesDigitProbabilitiesAndUnsureForEveryPng()
    {
        var folder = Path.Combine(_temp.Path, "digits");
        var files = WriteSamplePngs(folder, 10);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image, and not a .png: skipped");

        var (code, output, error) = await CliRunner.RunAsync(["predict", "--model", models.SdcaPath, folder, "--json"]);

        Assert.True(code == 0, error);
        using var doc = TrainedModels.Parse(output);
        var predictions = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(files.Select(f => f.File), predictions.Select(p => p.GetProperty("file").GetString()));
        int right = 0;
        foreach (var (prediction, (_, label)) in predictions.Zip(files))
        {
            var probabilities = prediction.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray();
            Assert.Equal(10, probabilities.Length);
            Assert.Equal(1.0, probabilities.Sum(), 3);
            var digit = prediction.GetProperty("digit").GetString()!;
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()).ToString(CultureInfo.InvariantCulture), digit);
            Assert.Equal(probabilities.Max() < 0.8, prediction.GetProperty("unsure").GetBoolean());
            if (digit == label.ToString(CultureInfo.InvariantCulture))
                right++;
        }
        // The linear model gets about 87% of the sample's test digits; through the PNG preprocessing most are still right.
        Assert.InRange(right, 6, 10);
    }

    [Fact]
    public async Task Predict_Files_PrintsOneLinePerFile()
    {
        var files = WriteSamplePngs(Path.Combine(_temp.Path, "few"), 3);

        var (code, output, error) = await CliRunner.RunAsync(["predict", "--model", models.CnnPath, files[0].File, files[2].File]);

        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(files[0].File, lines[0]);
        Assert.StartsWith(files[2].File, lines[1]);
        Assert.Matches(@"\s[0-9]\s+\d+\.\d %\s+next [0-9]", lines[0]);
    }

    [Fact]
    public async Task Predict_NotAPng_FailsForThatFileWithClearMessage()
    {
        var good = WriteSamplePngs(Path.Combine(_temp.Path, "one"), 1)[0].File;
        var bad = Path.Combine(_temp.Path, "fake.png");
        File.WriteAllText(bad, "plain text");

        var (code, output, error) = await CliRunner.RunAsync(["predict", "--model", models.SdcaPath, good, bad]);

        Assert.Equal(1, code);
        Assert.StartsWith(good, output);
        Assert.Contains($"{bad}:", error);
        Assert.Contains("1 of 2 files could not be classified", error);
    }

    [Fact]
    public async Task Predict_MissingInput_FailsWithClearMessage()
    {
        var missing = Path.Combine(_temp.Path, "nothing.png");

        var (code, _, error) = await CliRunner.RunAsync(["predict", "--model", models.SdcaPath, missing]);

        Assert.Equal(1, code);
        Assert.Contains($"'{missing}' not found", error);
    }

    [Fact]
    public async Task Predict_CorruptModel_FailsWithClearMessage()
    {
        var model = Path.Combine(_temp.Path, "broken.zip");
        File.WriteAllBytes(model, [1, 2, 3, 4]);
        var png = WriteSamplePngs(Path.Combine(_temp.Path, "x"), 1)[0].File;

        var (code, _, error) = await CliRunner.RunAsync(["predict", "--model", model, png]);

        Assert.Equal(1, code);
        Assert.Contains(model, error);
        Assert.DoesNotContain("unexpected error", error);
    }

    [Fact]
    public async Task Predict_WithoutFiles_IsAUsageError()
    {
        var (code, _, error) = await CliRunner.RunAsync(["predict", "--model", models.SdcaPath]);

        Assert.Equal(2, code);
        Assert.Contains("Required argument missing", error);
        Assert.Contains("mlnetdigits predict --help", error);
    }
}
