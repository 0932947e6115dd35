using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;
using MlNetDigits.Engine.Onnx;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests.Onnx;

/// <summary>The exported model's outputs, options, determinism and errors, on a small network.</summary>
public class OnnxExporterTests
{
    // (N, 1, 8, 8) -> (N, 5)
    private static Sequential SmallNet(ulong seed)
    {
        var rng = new Rng(seed);
        var net = new Sequential(new Conv2d(1, 4, 3, rng), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Dense(36, 5, rng));
        OnnxLayerExportTests.SetRandomStatistics(net, seed + 100);
        return net;
    }

    private static readonly IKernels Cpu = new CpuKernels(BackendKind.Managed, 1);

    private static readonly OnnxExportOptions Small = new() { Height = 8, Width = 8 };

    private static global::Onnx.ModelProto Parse(byte[] model) => global::Onnx.ModelProto.Parser.ParseFrom(model);

    [Fact]
    public void Temperature_ChangesScore_ButNotThePrediction()
    {
        var net = SmallNet(1);
        var raw = TestData.Random(new Rng(2), 7, 1, 8, 8);
        var plain = OnnxParity.AssertMatchesEngine(net, Small, raw, Cpu);
        var hot = OnnxParity.AssertMatchesEngine(net, new OnnxExportOptions { Height = 8, Width = 8, Temperature = 2.5 }, raw, Cpu);

        var difference = plain["Score"].Floats!.Zip(hot["Score"].Floats!, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(difference > 1e-3, $"Score barely changed with T = 2.5 (largest difference {difference}).");
        Assert.Equal(plain["PredictedIndex"].Int64s, hot["PredictedIndex"].Int64s);
        Assert.Equal(plain["PredictedOneHot"].Floats, hot["PredictedOneHot"].Floats);
        Assert.Equal(plain["Logits"].Floats, hot["Logits"].Floats);
    }

    [Fact]
    public void IdentityNormalisationAndUnitTemperature_AddNoNodes()
    {
        var plain = Parse(OnnxExporter.Export(SmallNet(1), Small)).Graph.Node.Select(n => n.Name).ToList();
        var full = Parse(OnnxExporter.Export(SmallNet(1), new OnnxExportOptions { Height = 8, Width = 8, Scale = [2f], Shift = [1f], Temperature = 3 }))
            .Graph.Node.Select(n => n.Name).ToList();

        Assert.DoesNotContain(plain, n => n.Contains("Mul", StringComparison.Ordinal) || n.Contains("Add", StringComparison.Ordinal));
        Assert.Equal(["input.Mul", "input.Add", "Score.Mul"], full.Except(plain));
    }

    /// <summary>A head on SmallNet's features (36) fitted on 60 random images with random classes 0..4.</summary>
    private static OodScoreHead SmallHead(Sequential net, double threshold = 0)
    {
        var raw = TestData.Random(new Rng(11), 60, 1, 8, 8);
        var features = new float[60 * 36];
        PenultimateFeatures.Forward(net, raw, features);
        var rng = new Rng(12);
        var labels = Enumerable.Range(0, 60).Select(_ => rng.NextInt(5)).ToArray();
        var (energyScale, energyShift) = OodScoreHead.TailUnits(-2, -1);
        var (distanceScale, distanceShift) = OodScoreHead.TailUnits(30, 60);
        return new OodScoreHead(ClassMahalanobis.Fit(features, labels, 5), energyScale, energyShift, distanceScale, distanceShift, threshold);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void OodScore_IsTheUnionOfEnergyAndDistanceInTailUnits_MinusTheThreshold(double threshold)
    {
        var net = SmallNet(1);
        net.Kernels = Cpu;
        net.Eval();
        var head = SmallHead(net, threshold);
        var raw = TestData.Random(new Rng(5), 9, 1, 8, 8);

        var onnx = OnnxParity.AssertMatchesEngine(net, Small with { OodHead = head, Temperature = 2 }, raw, Cpu); // checks OodScore in double

        var features = new float[9 * 36];
        var logits = PenultimateFeatures.Forward(net, raw, features).Data[..(9 * 5)];
        var engine = new float[9];
        head.Score(features, logits, engine);
        Assert.All(engine.Zip(onnx["OodScore"].Floats!), p => Assert.Equal(p.First, p.Second, 1e-4));
    }

    [Fact]
    public void Export_Throws_GivenAnOodHeadForOtherFeatures()
    {
        var other = new OodScoreHead(ClassMahalanobis.Fit(new float[20 * 7], [.. Enumerable.Range(0, 20).Select(i => i % 5)], 5), 1, 0, 1, 0, 0);

        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(SmallNet(1), Small with { OodHead = other }));

        Assert.Contains("reads 36 features into 5 classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictedIndex_IsTheFirstMaximum_OnTies()
    {
        // Dense with zero weights and bias (0, 3, 3, 1, 3): every row ties at indices 1, 2 and 4.
        var dense = new Dense(4, 5, new Rng(3));
        dense.Weight.Value.Clear();
        float[] bias = [0f, 3f, 3f, 1f, 3f];
        bias.CopyTo(dense.Bias!.Value.Data);
        var net = new Sequential(new Flatten(), dense);
        var onnx = OnnxParity.AssertMatchesEngine(net, new OnnxExportOptions { Height = 2, Width = 2 }, TestData.Random(new Rng(4), 3, 1, 2, 2), Cpu);
        Assert.Equal([1L, 1L, 1L], onnx["PredictedIndex"].Int64s!);
    }

    [Fact]
    public void Export_DeclaresTheBatchAxisAsN_OnTheInputAndEveryOutput()
    {
        var net = SmallNet(1);
        net.Kernels = Cpu;
        net.Eval();
        var graph = Parse(OnnxExporter.Export(net, Small with { IncludeFeatures = true, OodHead = SmallHead(net) })).Graph;
        var values = graph.Input.Concat(graph.Output).ToList();
        Assert.Equal(["Image", "Logits", "Score", "PredictedIndex", "PredictedOneHot", "OodScore", "Features"], values.Select(v => v.Name));
        Assert.All(values, v => Assert.Equal("N", v.Type.TensorType.Shape.Dim[0].DimParam));
    }

    [Fact]
    public void Export_GivesByteIdenticalModels_ForTheSameNetworkAndOptions()
    {
        var first = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        var second = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };
        var options = Small with { Metadata = first, DocString = "doc", Temperature = 1.5, IncludeFeatures = true };

        var once = OnnxExporter.Export(SmallNet(5), options);
        var twice = OnnxExporter.Export(SmallNet(5), options);
        var reordered = OnnxExporter.Export(SmallNet(5), options with { Metadata = second });
        var otherWeights = OnnxExporter.Export(SmallNet(6), options);

        Assert.Equal(once, twice);
        Assert.Equal(once, reordered);
        Assert.NotEqual(once, otherWeights);
    }

    [Fact]
    public void Export_NamesInitializersAndNodesAfterTheStateDictionary()
    {
        var graph = Parse(OnnxExporter.Export(SmallNet(1), Small)).Graph;
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "5.weight", "5.bias",
            "PredictedOneHot.depth", "PredictedOneHot.values"], graph.Initializer.Select(i => i.Name));
        Assert.Equal(["0.Conv", "1.BatchNormalization", "2.Relu", "3.MaxPool", "4.Flatten", "5.Gemm",
            "Score.Softmax", "PredictedIndex.ArgMax", "PredictedOneHot.OneHot"], graph.Node.Select(n => n.Name));
    }

    private sealed class Doubler : Layer
    {
        public override Tensor Forward(Tensor input) => input;

        public override Tensor Backward(Tensor outputGrad) => outputGrad;

        public override string ToString() => "Doubler()";
    }

    [Fact]
    public void Export_ThrowsNotSupported_NamingAnUnknownLayerAndItsPosition()
    {
        var net = new Sequential(new Flatten(), new Doubler(), new Dense(64, 3, new Rng(1)));
        var ex = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(net, Small));
        Assert.Contains("layer 1 (Doubler())", ex.Message);
        Assert.Contains("Conv2d", ex.Message);
    }

    [Fact]
    public void Export_OpensNestedSequentials_KeepingTheirStateDictionaryNames()
    {
        var rng = new Rng(7);
        var net = new Sequential(new Sequential(new Conv2d(1, 2, 3, rng), new ReLU()), new Flatten(), new Dense(72, 3, rng));
        var raw = TestData.Random(new Rng(8), 7, 1, 8, 8);
        OnnxParity.AssertMatchesEngine(net, Small, raw, Cpu);
        Assert.Contains(Parse(OnnxExporter.Export(net, Small)).Graph.Initializer, i => i.Name == "0.0.weight");
    }

    [Theory]
    [InlineData(new float[] { 1f, 2f }, new float[] { 0f }, "Scale", "got 2")]
    [InlineData(new float[] { 1f }, new float[] { 0f, 0f, 0f, 0f }, "Shift", "got 4")]
    [InlineData(new float[] { float.NaN }, new float[] { 0f }, "Scale", "finite")]
    public void Export_Throws_GivenScaleOrShiftThatDoNotFitTheChannels(float[] scale, float[] shift, string option, string detail)
    {
        var rng = new Rng(1);
        var net = new Sequential(new Conv2d(3, 2, 3, rng), new Flatten());
        var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(net, Small with { Channels = 3, Scale = scale, Shift = shift }));
        Assert.Contains($"OnnxExportOptions.{option}", ex.Message);
        Assert.Contains(detail, ex.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Export_Throws_GivenATemperatureThatIsNotFiniteAndPositive(double temperature)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(SmallNet(1), Small with { Temperature = temperature }));
        Assert.Contains("Temperature must be finite and positive", ex.Message);
    }

    [Fact]
    public void Export_Throws_GivenANetworkWhoseOutputIsNotLogits()
    {
        var net = new Sequential(new Conv2d(1, 2, 3, new Rng(1)), new ReLU());
        var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(net, Small));
        Assert.Contains("into (N, 2, 6, 6)", ex.Message);
        Assert.Contains("needs logits (N, K)", ex.Message);
    }

    [Fact]
    public void Export_ThrowsShapeMismatch_NamingTheLayer_GivenTheWrongInputChannels()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => OnnxExporter.Export(SmallNet(1), Small with { Channels = 3 }));
        Assert.Contains("layer 0 (Conv2d(1, 4, kernel_size=3))", ex.Message);
        Assert.Contains("expects input (N, 1, H, W)", ex.Message);
        Assert.Contains("(N, 3, 8, 8)", ex.Message);
    }

    [Fact]
    public void Export_ThrowsShapeMismatch_GivenAnImageSizeTheDenseLayerDoesNotFit()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => OnnxExporter.Export(SmallNet(1), Small with { Height = 10 }));
        Assert.Contains("layer 5 (Dense(in_features=36, out_features=5))", ex.Message);
        Assert.Contains("(N, 48)", ex.Message);
    }

    [Fact]
    public void Export_Throws_GivenAnInputNameThatIsAnOutputName()
    {
        var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(SmallNet(1), Small with { InputName = "Score" }));
        Assert.Contains("InputName is \"Score\"", ex.Message);
    }

    [Fact]
    public void Export_Throws_GivenIncludeFeaturesWithoutADenseLayer()
    {
        var net = new Sequential(new Flatten());
        var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(net, Small with { IncludeFeatures = true }));
        Assert.Contains("no Dense layer", ex.Message);
    }
}
