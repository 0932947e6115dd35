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
        OnnxParity.AssertMatchesEngine(presets[preset], Mnist, raw);
    }

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Preset_MatchesOnnxRuntime_OnSampleDigits(string preset)
    {
        var raw = SampleMnist.Images("t10k-images-idx3-ubyte.gz", 64); // (64, 1, 28, 28), 0..255
        OnnxParity.AssertMatchesEngine(presets[preset], Mnist, raw);
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
        var onnx = OnnxParity.AssertMatchesEngine(network, options, raw);

        network.Eval();
        var x = OnnxParity.Normalize(raw, options);
        foreach (var layer in network.Layers.Take(network.Layers.Count - 1))
            x = layer.Forward(x);
        var features = onnx[OnnxExporter.OutputNames.Features];
        Assert.Equal([7, 256], features.Shape);
        TestData.AssertClose(x, features.AsTensor(), OnnxParity.Tolerance, OnnxParity.Tolerance, "Features");
    }
}
