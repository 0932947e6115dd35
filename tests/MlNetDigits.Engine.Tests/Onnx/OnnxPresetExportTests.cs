using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Onnx;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Onnx;

/// <summary>The preset networks at full size after a few training steps, exported with MNIST's raw-pixel normalisation and run by ONNX Runtime.</summary>
public class OnnxPresetExportTests(TrainedPresets presets) : IClassFixture<TrainedPresets>
{
    private static readonly OnnxExportOptions Mnist = new() { Scale = [SampleMnist.Scale], Shift = [SampleMnist.Shift] };

    public static TheoryData<string, int> PresetsAndBatches => new()
    {
        { "fast", 1 }, { "fast", 7 }, { "classic", 1 }, { "classic", 7 }, { "best", 1 }, { "best", 7 },
    };

    public static TheoryData<string> PresetNames => new(TrainedPresets.Names);

    [Theory]
    [MemberData(nameof(PresetsAndBatches))]
    public void Preset_MatchesOnnxRuntime_OnRandomPixels(string preset, int batch)
    {
        var rng = new Rng(31);
        var raw = new Tensor(batch, 1, 28, 28);
        for (int i = 0; i < raw.Length; i++)
            raw.Data[i] = MathF.Floor(256 * rng.NextFloat());
        OnnxParity.AssertMatchesEngine(presets[preset], Mnist, raw, presets.Kernels);
    }

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Preset_MatchesOnnxRuntime_OnSampleDigits(string preset)
    {
        var raw = SampleMnist.Images("t10k-images-idx3-ubyte.gz", 64); // (64, 1, 28, 28), 0..255
        OnnxParity.AssertMatchesEngine(presets[preset], Mnist, raw, presets.Kernels);
    }

    [Fact]
    public void TrainedBest_HasRunningStatisticsAwayFromTheirInitialValues()
    {
        // The parity tests above are only as strong as these statistics are non-trivial.
        var bn = presets["best"].Layers.OfType<BatchNorm>().ToList();
        Assert.Equal(5, bn.Count);
        foreach (var layer in bn)
        {
            Assert.Contains(layer.RunningMean.Data, m => MathF.Abs(m) > 1e-2f);
            Assert.Contains(layer.RunningVar.Data, v => MathF.Abs(v - 1f) > 1e-2f);
        }
    }

    [Fact]
    public void BestPreset_Features_AreTheInputOfTheLastDense()
    {
        var network = presets["best"];
        var options = new OnnxExportOptions { Scale = Mnist.Scale, Shift = Mnist.Shift, IncludeFeatures = true };
        var raw = SampleMnist.Images("t10k-images-idx3-ubyte.gz", 7);
        var onnx = OnnxParity.AssertMatchesEngine(network, options, raw, presets.Kernels);

        network.Eval();
        var x = OnnxParity.Normalize(raw, options);
        foreach (var layer in network.Layers.Take(network.Layers.Count - 1))
            x = layer.Forward(x);
        var features = onnx[OnnxExporter.OutputNames.Features];
        Assert.Equal([7, 256], features.Shape);
        TestData.AssertClose(x, features.AsTensor(), OnnxParity.Tolerance, OnnxParity.Tolerance, "Features");
    }

    /// <summary>Environment variable naming a folder to write the exported preset models to (for scripts/onnx/check_models.py).</summary>
    public const string ExportDirVariable = "MLND_ONNX_EXPORT_DIR";

    [Fact]
    public void PresetModels_ReadBackWithTheirOutputs_AndAreWrittenToTheExportDirWhenItIsSet()
    {
        var folder = Environment.GetEnvironmentVariable(ExportDirVariable);
        foreach (var preset in TrainedPresets.Names)
        {
            // "best" also carries Features and a temperature, so the written files cover every node the exporter makes.
            var options = Mnist with
            {
                Metadata = new Dictionary<string, string> { ["preset"] = preset, ["labels"] = "0,1,2,3,4,5,6,7,8,9" },
                DocString = $"MlNetDigits '{preset}' preset after {TrainedPresets.Steps} training steps (a test model).",
                IncludeFeatures = preset == "best",
                Temperature = preset == "best" ? 1.5 : 1.0,
            };
            var model = OnnxExporter.Export(presets[preset], options);
            var info = OnnxModelInfo.Read(model);
            Assert.Equal(preset, info.Metadata["preset"]);
            Assert.Equal(preset == "best" ? 5 : 4, info.Outputs.Count);
            Assert.Equal("Score: float (N, 10)", info.Outputs[1].ToString());

            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, preset + ".onnx");
                File.WriteAllBytes(path + ".tmp", model);
                File.Move(path + ".tmp", path, overwrite: true);
                Assert.Equal(model, File.ReadAllBytes(path));
            }
        }
    }
}
