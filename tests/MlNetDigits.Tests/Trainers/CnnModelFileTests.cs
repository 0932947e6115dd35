using System.IO.Compression;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static MlNetDigits.Tests.ImageClassificationTestData;

namespace MlNetDigits.Tests;

/// <summary>A trained CNN as a standard ML.NET model file: what is in it, what loads it, and how it predicts.</summary>
public sealed class CnnModelFileTests
{
    private static readonly Lazy<(ImageClassificationTransformer Model, IDataView Train, byte[] File)> Trained = new(() =>
    {
        var ml = new MLContext(1);
        var train = Keyed(300);
        var model = ml.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 2, layers: TinyBatchNormLayers)).Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        return (model, train, stream.ToArray());
    });

    private static ITransformer Load(byte[] file, out DataViewSchema schema) => new MLContext(2).Model.Load(new MemoryStream(file), out schema);

    [Fact]
    public void SaveLoad_GivesTheSameScores_AndTheModelInfoRidesInTheOnnxMetadata()
    {
        var (model, train, file) = Trained.Value;
        var loaded = Load(file, out var schema);

        var test = Keyed(50, test: true);
        Assert.Equal(Scores(model.Transform(test)), Scores(loaded.Transform(test)));
        Assert.Equal(train.Schema.Select(c => c.Name), schema.Select(c => c.Name));
        var info = CnnModelInfo.FromModel(new MLContext(), loaded)!;
        Assert.Equal(model.Info.Layers, info.Layers);
        Assert.Equal(model.History, info.History);
        Assert.Equal(model.Temperature, info.Temperature);
        Assert.Equal(model.Info.Calibration, info.Calibration);
        Assert.Equal(model.Info.Settings!.Seed, info.Settings!.Seed);
        Assert.Equal(model.Info.Settings.Layers, info.Settings.Layers);
        Assert.Equal(model.Info.ClassNames, info.ClassNames);
    }

    [Fact]
    public void SavedModel_HoldsOnlyMlNetsOwnComponents()
    {
        var loaded = Load(Trained.Value.File, out _);

        var types = Flatten(loaded).Select(t => t.GetType()).ToList();
        Assert.Contains(types, t => t.Name == "OnnxTransformer");
        Assert.All(types, t => Assert.StartsWith("Microsoft.ML", t.Assembly.GetName().Name, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadedModel_PredictsThroughMlNetsPredictionEngine_AsTransformDoes()
    {
        var ml = new MLContext(2);
        var loaded = Load(Trained.Value.File, out _);
        var engine = ml.Model.CreatePredictionEngine<Row, KeyPrediction>(loaded);
        var rows = Rows(30, test: true);
        var scored = loaded.Transform(Images(30, test: true));
        var expected = Column<uint>(scored, "PredictedLabel");
        var scores = Scores(scored);

        for (int i = 0; i < rows.Count; i++)
        {
            var prediction = engine.Predict(rows[i]);
            Assert.Equal(expected[i], prediction.PredictedLabel);
            Assert.Equal(scores.AsSpan(i * 10, 10).ToArray(), prediction.Score);
        }
    }

    [Fact]
    public void EmbeddedOnnx_IsTheExportedGraph_AndOnnxRuntimeGivesTheSameScores()
    {
        var (model, _, file) = Trained.Value;
        var path = Path.Combine(Path.GetTempPath(), $"mlnd-cnn-{Guid.NewGuid():N}.zip");
        File.WriteAllBytes(path, file);
        try
        {
            var onnx = CnnModelInfo.ReadOnnxFromModelFile(path);
            Assert.Equal(model.GetOnnxModel(), onnx);

            using var session = new InferenceSession(onnx);
            var rows = Rows(8, test: true);
            var input = new DenseTensor<float>(rows.SelectMany(r => r.Image).ToArray(), [8, 1, 28, 28]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Image", input)], ["Score"]);
            var onnxScores = results[0].AsTensor<float>().ToArray();
            var mlnetScores = Scores(model.Transform(Keyed(8, test: true)));
            for (int i = 0; i < onnxScores.Length; i++)
                Assert.Equal(mlnetScores[i], onnxScores[i], 1e-6);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CnnEngineScorer_GivesTheMlNetModelsProbabilities_OneImageOrABatch()
    {
        var model = Trained.Value.Model;
        using var scorer = CnnEngineScorer.FromOnnx(model.GetOnnxModel());
        var rows = Rows(20, test: true);
        var expected = Scores(model.Transform(Keyed(20, test: true)));

        var one = new float[10];
        for (int i = 0; i < rows.Count; i++)
        {
            scorer.Score(rows[i].Image, one);
            for (int c = 0; c < 10; c++)
                Assert.Equal(expected[i * 10 + c], one[c], 1e-5);
        }
        var batch = new float[200];
        scorer.ScoreBatch(rows.SelectMany(r => r.Image).ToArray(), batch);
        for (int i = 0; i < batch.Length; i++)
            Assert.Equal(expected[i], batch[i], 1e-5);
        Assert.Throws<ArgumentException>(() => scorer.Score(new float[783], one));
        scorer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => scorer.Score(rows[0].Image, one));
    }

    [Fact]
    public void ReadOnnxFromModelFile_OfAModelWithoutACnn_SaysSo()
    {
        var ml = new MLContext(1);
        var data = Keyed(50);
        var sdca = ml.Transforms.NormalizeMinMax("Features", "Image")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 2)).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"mlnd-sdca-{Guid.NewGuid():N}.zip");
        ml.Model.Save(sdca, data.Schema, path);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => CnnModelInfo.ReadOnnxFromModelFile(path));
            Assert.Contains("holds no ONNX graph", e.Message, StringComparison.Ordinal);
            Assert.Null(CnnModelInfo.FromModel(ml, sdca));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(57)]
    public void ArgMaxKeyLookup_MapsEveryOneHotToItsKey(int classes)
    {
        var ml = new MLContext(1);
        var labels = ml.Data.LoadFromEnumerable(Enumerable.Range(0, classes).Select(i => new TextLabel { Name = $"class{i}" }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Name").Fit(labels).Transform(labels);
        var lookup = ArgMaxKeyLookup.Fit(ml, keyed.Schema["Label"]);
        var oneHots = ml.Data.LoadFromEnumerable(Enumerable.Range(0, classes).Select(k => new OneHotRow(classes, k)), OneHotRow.Definition(classes));

        var output = lookup.Transform(oneHots);

        Assert.Equal(Enumerable.Range(1, classes).Select(k => (uint)k), Column<uint>(output, "PredictedLabel"));
        Assert.Equal(keyed.Schema["Label"].Type, output.Schema["PredictedLabel"].Type);
        Assert.Equal(ClassNames.Of(keyed.Schema["Label"]), ClassNames.Of(output.Schema["PredictedLabel"]));
    }

    [Fact]
    public void LoadedModel_FromATruncatedOrForeignFile_ThrowsInvalidModelNamingTheFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"mlnd-bad-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var truncated = Path.Combine(folder, "truncated.zip");
            File.WriteAllBytes(truncated, Trained.Value.File[..(Trained.Value.File.Length / 2)]);
            var text = Path.Combine(folder, "text.zip");
            File.WriteAllText(text, "not a model");
            var foreign = Path.Combine(folder, "foreign.zip");
            using (var zip = ZipFile.Open(foreign, ZipArchiveMode.Create))
            using (var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
                writer.Write("hello");

            foreach (var path in new[] { truncated, text, foreign })
            {
                var e = Assert.Throws<InvalidModelException>(() => LoadedModel.FromFile(path));
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
            }
            Assert.Contains("not an ML.NET model", Assert.Throws<InvalidModelException>(() => LoadedModel.FromFile(foreign)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void PinnedApi_TrainsSdcaAndTheCnn_EvaluatesAndSavesBoth()
    {
        // Written only against ML.NET's API plus the pinned extensions, as an outside check would.
        var ml = new MLContext(seed: 1);
        var sample = Path.Combine(AppContext.BaseDirectory, "data", "sample");
        var train = ml.Data.LoadFromIdxFolder(sample, DatasetSplit.Train);
        var test = ml.Data.LoadFromIdxFolder(sample, DatasetSplit.Test);
        Assert.Equal(NumberDataViewType.UInt32, train.Schema["Label"].Type);
        Assert.Equal(784, ((VectorDataViewType)train.Schema["Image"].Type).Size);
        var sdcaPipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features", maximumNumberOfIterations: 10));
        var cnnPipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Image",
                Preset = "fast",
                Epochs = 3,
            }));
        var folder = Path.Combine(Path.GetTempPath(), $"mlnd-pinned-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var (name, pipeline) in new[] { ("sdca", (IEstimator<ITransformer>)sdcaPipeline), ("cnn", cnnPipeline) })
            {
                var model = pipeline.Fit(train);
                var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
                Assert.True(metrics.MicroAccuracy > 0.8, $"{name}: {metrics.MicroAccuracy}");
                var path = Path.Combine(folder, name + ".zip");
                ml.Model.Save(model, train.Schema, path);
                var reloaded = ml.Model.Load(path, out _);
                Assert.Equal(metrics.MicroAccuracy, ml.MulticlassClassification.Evaluate(reloaded.Transform(test)).MicroAccuracy);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten).Prepend(transformer) : [transformer];

    private sealed class KeyPrediction
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];
    }

    private sealed class TextLabel
    {
        public string Name { get; set; } = "";
    }

    private sealed class OneHotRow(int classes, int hot)
    {
        public float[] PredictedOneHot { get; set; } = [.. Enumerable.Range(0, classes).Select(k => k == hot ? 1f : 0f)];

        public static SchemaDefinition Definition(int classes)
        {
            var definition = SchemaDefinition.Create(typeof(OneHotRow));
            definition[nameof(PredictedOneHot)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, classes);
            return definition;
        }
    }
}
