using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace MlNetDigits.Cli.Tests.Commands;

[Collection(TrainedModelsCollection.Name)]
public sealed class ExportCommandTests(TrainedModels models) : IDisposable
{
    /// <summary>How many sample test digits are run through both ML.NET and ONNX Runtime.</summary>
    private const int DigitCount = 32;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ExportCnn_WritesTheEmbeddedGraphByteForByteAndDescribesIt()
    {
        var onnx = Path.Combine(_temp.Path, "out", "cnn.onnx");

        var (code, output, error) = await CliRunner.RunAsync(["export", "--onnx", models.CnnPath, onnx]);

        Assert.True(code == 0, error);
        Assert.Equal(CnnModelInfo.ReadOnnxFromModelFile(models.CnnPath), File.ReadAllBytes(onnx));
        Assert.Contains("byte for byte", output);
        Assert.Contains("opset ai.onnx 13", output);
        Assert.Contains("Image: float (N, 1, 28, 28)", output);
        Assert.Contains("Score: float (N, 10)", output);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(onnx)!, "*.tmp"));
    }

    [Fact]
    public async Task ExportedCnn_RunsInOnnxRuntimeGivingTheModelsProbabilities()
    {
        var onnx = Path.Combine(_temp.Path, "cnn.onnx");
        var (code, _, error) = await CliRunner.RunAsync(["export", "--onnx", models.CnnPath, onnx]);
        Assert.True(code == 0, error);
        var (pixels, _) = SampleDigits(DigitCount);

        using var session = new InferenceSession(onnx);
        using var image = OrtValue.CreateTensorValueFromMemory(pixels, [DigitCount, 1, 28, 28]);
        using var results = session.Run(new RunOptions(), new Dictionary<string, OrtValue> { ["Image"] = image }, ["Score"]);
        var onnxScores = results[0].GetTensorDataAsSpan<float>().ToArray();

        var mlnetScores = MlNetScores(models.CnnPath, DigitCount);
        Assert.Equal(DigitCount * 10, onnxScores.Length);
        for (int i = 0; i < onnxScores.Length; i++)
            Assert.True(Math.Abs(onnxScores[i] - mlnetScores[i]) <= 1e-5, $"digit {i / 10}, class {i % 10}: ONNX Runtime {onnxScores[i]}, ML.NET {mlnetScores[i]}");
    }

    [Fact]
    public async Task ExportSdca_ConvertsWithMlNetAndTheFileRunsInOnnxRuntime()
    {
        var onnx = Path.Combine(_temp.Path, "sdca.onnx");

        var (code, output, error) = await CliRunner.RunAsync(["export", "--onnx", models.SdcaPath, onnx]);

        Assert.True(code == 0, error);
        Assert.Contains("ConvertToOnnx", output);
        // SDCA was fitted on flat image vectors, so the graph takes (N, 784) pixels.
        Assert.Contains("Image: float (?, 784)", output);
        Assert.Contains("Score.output: float (?, 10)", output);
        var (pixels, labels) = SampleDigits(DigitCount);
        using var session = new InferenceSession(onnx);
        using var image = OrtValue.CreateTensorValueFromMemory(pixels, [DigitCount, 784]);
        using var label = OrtValue.CreateTensorValueFromMemory(labels, [DigitCount, 1]);
        using var results = session.Run(new RunOptions(), new Dictionary<string, OrtValue> { ["Image"] = image, ["Label"] = label }, ["Score.output"]);
        var onnxScores = results[0].GetTensorDataAsSpan<float>().ToArray();
        var mlnetScores = MlNetScores(models.SdcaPath, DigitCount);
        Assert.Equal(DigitCount * 10, onnxScores.Length);
        for (int i = 0; i < onnxScores.Length; i++)
            Assert.True(Math.Abs(onnxScores[i] - mlnetScores[i]) <= 1e-5, $"digit {i / 10}, class {i % 10}: ONNX Runtime {onnxScores[i]}, ML.NET {mlnetScores[i]}");
    }

    [Fact]
    public async Task Export_SdcaFittedOn28x28Images_Exits1WithoutWritingAGraphOnnxRuntimeRefuses()
    {
        // The standard pipeline fitted on images typed Vector<Single, 28, 28>: ML.NET converts it to a graph ONNX Runtime refuses.
        var ml = new MLContext(1);
        var flat = ml.Data.LoadFromIdxFolder(TinyDigits.Create(Path.Combine(_temp.Path, "tiny")), DatasetSplit.Train);
        var definition = SchemaDefinition.Create(typeof(SquareDigit));
        definition[nameof(SquareDigit.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 28, 28);
        var train = ml.Data.LoadFromEnumerable(ml.Data.CreateEnumerable<SquareDigit>(flat, reuseRowObject: false).ToList(), definition);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = 2 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        var path = Path.Combine(_temp.Path, "sdca-28x28.zip");
        ml.Model.Save(model, train.Schema, path);
        var onnx = Path.Combine(_temp.Path, "sdca-28x28.onnx");

        var (code, _, error) = await CliRunner.RunAsync(["export", "--onnx", path, onnx]);

        Assert.Equal(1, code);
        Assert.Contains(path, error);
        Assert.Contains("ONNX Runtime does not load", error);
        Assert.Contains("mlnetdigits train --trainer sdca", error);
        Assert.False(File.Exists(onnx));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public async Task Export_OutExistsWithoutForce_Exits2AndKeepsTheFile()
    {
        var onnx = Path.Combine(_temp.Path, "taken.onnx");
        File.WriteAllText(onnx, "keep me");

        var (code, output, error) = await CliRunner.RunAsync(["export", "--onnx", models.SdcaPath, onnx]);

        Assert.Equal(2, code);
        Assert.Contains($"'{onnx}' already exists", error);
        Assert.Contains("--force", error);
        Assert.Equal("", output);
        Assert.Equal("keep me", File.ReadAllText(onnx));
    }

    [Fact]
    public async Task Export_OutExistsWithForce_ReplacesIt()
    {
        var onnx = Path.Combine(_temp.Path, "taken.onnx");
        File.WriteAllText(onnx, "replace me");

        var (code, _, error) = await CliRunner.RunAsync(["export", "--onnx", models.CnnPath, onnx, "--force"]);

        Assert.True(code == 0, error);
        Assert.Equal(CnnModelInfo.ReadOnnxFromModelFile(models.CnnPath), File.ReadAllBytes(onnx));
    }

    [Fact]
    public async Task Export_RemovesTheTemporaryFileAKilledExportLeft()
    {
        var onnx = Path.Combine(_temp.Path, "cnn.onnx");
        var leftover = Path.Combine(_temp.Path, ".cnn.onnx.2147483646.tmp"); // of a process that no longer runs
        File.WriteAllText(leftover, "half-written");

        var (code, _, error) = await CliRunner.RunAsync(["export", "--onnx", models.CnnPath, onnx]);

        Assert.True(code == 0, error);
        Assert.Equal(CnnModelInfo.ReadOnnxFromModelFile(models.CnnPath), File.ReadAllBytes(onnx));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public async Task Export_MissingModel_Exits1NamingTheFile()
    {
        var missing = Path.Combine(_temp.Path, "missing.zip");
        var onnx = Path.Combine(_temp.Path, "out.onnx");

        var (code, _, error) = await CliRunner.RunAsync(["export", "--onnx", missing, onnx]);

        Assert.Equal(1, code);
        Assert.Contains($"Model file '{missing}' not found", error);
        Assert.False(File.Exists(onnx));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("zip without a model")]
    public async Task Export_NotAModel_Exits1NamingTheFile(string kind)
    {
        var notModel = Path.Combine(_temp.Path, "not-a-model.zip");
        if (kind == "text")
        {
            File.WriteAllText(notModel, "this is not a model");
        }
        else
        {
            using var zip = System.IO.Compression.ZipFile.Open(notModel, System.IO.Compression.ZipArchiveMode.Create);
            using var entry = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            entry.Write("a zip, but no ML.NET model");
        }
        var onnx = Path.Combine(_temp.Path, "out.onnx");

        var (code, _, error) = await CliRunner.RunAsync(["export", "--onnx", notModel, onnx]);

        Assert.Equal(1, code);
        Assert.Contains(notModel, error);
        Assert.DoesNotContain("unexpected error", error);
        Assert.False(File.Exists(onnx));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Theory]
    [InlineData(new[] { "export", "MODEL", "out.onnx" }, "--onnx")]
    [InlineData(new[] { "export", "--onnx", "MODEL" }, "Required argument missing")]
    [InlineData(new[] { "export", "--onnx", "MODEL", "FOLDER" }, "is a folder")]
    [InlineData(new[] { "export", "--onnx", "MODEL", "MODEL", "--force" }, "is the model file itself")]
    public async Task Export_GivenBadArguments_ExitsWithUsageErrorNamingTheProblem(string[] args, string expected)
    {
        var resolved = args.Select(a => a switch { "MODEL" => models.SdcaPath, "FOLDER" => _temp.Path, _ => a }).ToArray();

        var (code, _, error) = await CliRunner.RunAsync(resolved);

        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.True(File.Exists(models.SdcaPath));
    }

    /// <summary>The first <paramref name="count"/> test digits of the sample: pixels // (count, 28, 28), and labels.</summary>
    private static (float[] Pixels, uint[] Labels) SampleDigits(int count)
    {
        var view = new MLContext(0).Data.LoadFromIdxFolder(CliRunner.SampleFolder, DatasetSplit.Test);
        var pixels = new List<float>();
        var labels = new List<uint>();
        using var cursor = view.GetRowCursor(view.Schema);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        var getImage = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
        uint label = 0;
        VBuffer<float> image = default;
        while (labels.Count < count && cursor.MoveNext())
        {
            getLabel(ref label);
            getImage(ref image);
            labels.Add(label);
            pixels.AddRange(image.DenseValues());
        }
        return ([.. pixels], [.. labels]);
    }

    /// <summary>The Score column of the saved model on the first <paramref name="count"/> sample test digits, as ML.NET computes it. // (count, 10)</summary>
    private static float[] MlNetScores(string modelPath, int count)
    {
        var ml = new MLContext(0);
        var model = ml.Model.Load(modelPath, out _);
        var test = ml.Data.TakeRows(ml.Data.LoadFromIdxFolder(CliRunner.SampleFolder, DatasetSplit.Test), count);
        var scored = model.Transform(test);
        var scores = new List<float>();
        using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
        var getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        VBuffer<float> score = default;
        while (cursor.MoveNext())
        {
            getScore(ref score);
            scores.AddRange(score.DenseValues());
        }
        (model as IDisposable)?.Dispose();
        return [.. scores];
    }

    private sealed class SquareDigit
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Image { get; set; } = [];
    }
}
