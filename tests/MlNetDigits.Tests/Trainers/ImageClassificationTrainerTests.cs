using System.Numerics.Tensors;
using MlNetDigits.Engine.Backends;
using static MlNetDigits.Tests.ImageClassificationTestData;

namespace MlNetDigits.Tests;

public sealed class ImageClassificationTrainerTests
{
    [Fact]
    public void Fit_OnSample_LossFallsAndAccuracyIsFarAboveChance()
    {
        var ml = new MLContext(1);
        var reports = new List<TrainingProgress>();
        var options = TinyOptions(epochs: 3);
        options.ProgressInterval = 5;
        options.MetricsCallback = reports.Add;

        var model = ml.MulticlassClassification.Trainers.ImageClassification(options).Fit(Keyed(1000));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(Keyed(500, test: true)));

        Assert.Equal(3, model.History.Count);
        Assert.True(model.History[2].TrainingLoss < model.History[0].TrainingLoss * 0.8, $"loss {model.History[0].TrainingLoss} -> {model.History[2].TrainingLoss}");
        Assert.True(metrics.MicroAccuracy > 0.75, $"test accuracy {metrics.MicroAccuracy} (chance is 0.1)");
        Assert.All(model.History, e => Assert.NotNull(e.ValidationAccuracy));
        Assert.Contains(reports, r => r.Kind == TrainingProgressKind.Batch && r.Metrics.ContainsKey("imagesPerSecond") && r.EstimatedRemaining is not null);
        Assert.Equal(3, reports.Count(r => r.Kind == TrainingProgressKind.Epoch && r.Metrics.ContainsKey("validationLoss")));
    }

    [Fact]
    public void Transform_GivesProbabilitiesAndTheArgMaxAsAKeyOfTheLabelsType()
    {
        var data = Keyed(200);
        var model = Trainer(TinyOptions(epochs: 1)).Fit(data);

        var scored = model.Transform(Keyed(40, test: true));

        Assert.Equal(10, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        Assert.Equal(data.Schema["Label"].Type, scored.Schema["PredictedLabel"].Type);
        Assert.Equal(Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)), ClassNames.Of(scored.Schema["PredictedLabel"]));
        var scores = Scores(scored);
        var predicted = Column<uint>(scored, "PredictedLabel");
        for (int i = 0; i < predicted.Length; i++)
        {
            var row = scores.AsSpan(i * 10, 10);
            Assert.Equal(1.0, row.ToArray().Sum(v => (double)v), 4);
            Assert.Equal((uint)TensorPrimitives.IndexOfMax<float>(row) + 1, predicted[i]);
        }
    }

    [Fact]
    public void Fit_WithTextLabels_PredictsKeysWhoseValuesAreTheTexts()
    {
        var ml = new MLContext(1);
        string[] names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        var rows = Rows(200).Select(r => new TextRow { Name = names[r.Label], Image = r.Image }).ToList();
        var definition = SchemaDefinition.Create(typeof(TextRow));
        definition[nameof(TextRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 28, 28);
        var data = ml.Data.LoadFromEnumerable(rows, definition);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Name")
            .Append(ml.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 2)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel"));

        var scored = pipeline.Fit(data).Transform(data);

        var predicted = ml.Data.CreateEnumerable<TextPrediction>(scored, reuseRowObject: false).ToList();
        Assert.True(predicted.Count(p => p.Name == p.PredictedName) > 100, "the CNN should fit most of its 200 training digits");
        Assert.All(predicted, p => Assert.Contains(p.PredictedName, names));
    }

    [Theory]
    [InlineData(BackendKind.Managed, "managed GEMM")]
    [InlineData(BackendKind.OpenBlas, "OpenBLAS GEMM")]
    public void Fit_WithABackend_TrainsOnIt(BackendKind backend, string described)
    {
        var reports = new List<TrainingProgress>();
        var options = TinyOptions(epochs: 1);
        options.Backend = backend;
        options.MetricsCallback = reports.Add;
        var trainer = Trainer(options);
        void Fit() => trainer.Fit(Keyed(100));

        if (backend == BackendKind.OpenBlas && !Kernels.OpenBlasAvailable)
        {
            // Where the library is missing, asking for it is an error that says what to install, not a silent fallback.
            Assert.Contains("libopenblas0-pthread", Assert.Throws<InvalidOperationException>(Fit).Message, StringComparison.Ordinal);
            return;
        }
        Fit();
        Assert.Contains(reports, r => r.Message?.Contains(described, StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Fit_IsDeterministicForASeed_WhateverTheContextsSeed()
    {
        var options = TinyOptions(epochs: 1, layers: TinyBatchNormLayers);
        options.Augmentation = new ImageAugmentationOptions();
        options.Shuffle = true;
        var a = Trainer(options, contextSeed: 1).Fit(Keyed(300));
        var b = Trainer(options, contextSeed: 2).Fit(Keyed(300));
        options.Seed = 8;
        var c = Trainer(options, contextSeed: 1).Fit(Keyed(300));

        AssertSameWeights(a, b);
        Assert.NotEqual(a.GetWeights()["0.weight"].Data, c.GetWeights()["0.weight"].Data);
    }

    [Fact]
    public void Fit_WithoutASeed_TakesItFromTheMlContext()
    {
        var options = TinyOptions(epochs: 1);
        options.Seed = null;

        var a = Trainer(options, contextSeed: 5).Fit(Keyed(100));
        var b = Trainer(options, contextSeed: 5).Fit(Keyed(100));
        var c = Trainer(options, contextSeed: 6).Fit(Keyed(100));

        AssertSameWeights(a, b);
        Assert.Equal(a.Info.Settings!.Seed, b.Info.Settings!.Seed);
        Assert.NotEqual(a.Info.Settings.Seed, c.Info.Settings!.Seed);
    }

    [Fact]
    public void Catalog_FindsTheMlContextBehindIt_AndLogsToIt()
    {
        var ml = new MLContext(3);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith(ImageClassificationTrainer.TrainerName, StringComparison.Ordinal))
                lock (messages)
                    messages.Add(e.Message);
        };

        Assert.NotNull(ImageClassificationCatalog.EnvironmentOf(ml.MulticlassClassification.Trainers));
        ml.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 1)).Fit(Keyed(100));

        Assert.Contains(messages, m => m.Contains("epoch 1/1", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("exported to ONNX", StringComparison.Ordinal));
    }

    [Fact]
    public void EarlyStopping_RestoresTheWeightsOfTheBestEpoch()
    {
        // 100 training images and a high learning rate: the validation loss bottoms out early and then rises (overfitting).
        var options = TinyOptions(epochs: 12, layers: ["flatten", "dense 64", "relu"]);
        options.LearningRate = 2e-2;
        options.BatchSize = 10;
        options.ValidationSet = Keyed(200, test: true);
        options.Calibrate = false;
        options.EarlyStoppingCriteria = new EarlyStoppingOptions { Patience = 2, Monitor = EarlyStoppingMetric.ValidationLoss };

        var model = Trainer(options).Fit(Keyed(100));

        var losses = model.History.Select(e => e.ValidationLoss!.Value).ToArray();
        int best = Array.IndexOf(losses, losses.Min());
        Assert.True(model.History.Count < 12, "training should stop early");
        Assert.True(best < losses.Length - 1, "the best epoch should not be the last");
        Assert.Equal(best + 3, model.History.Count); // patience 2: two epochs without improvement after the best
        // The model's own validation loss (T = 1) is the best epoch's, not the last one's.
        var validation = Keyed(200, test: true);
        var scores = Scores(model.Transform(validation));
        var labels = Column<uint>(validation, "Label");
        double nll = 0;
        for (int i = 0; i < labels.Length; i++)
            nll -= Math.Log(scores[i * 10 + (int)labels[i] - 1]);
        Assert.Equal(losses[best], nll / labels.Length, 4);
    }

    [Fact]
    public void Calibrate_FitsATemperatureAndDoesNotRaiseTheValidationNll()
    {
        var model = Trainer(TinyOptions(epochs: 2)).Fit(Keyed(600));

        var cal = Assert.IsType<CalibrationResult>(model.Info.Calibration);
        Assert.Equal(120, cal.ValidationCount);
        Assert.Equal(cal.Temperature, model.Temperature);
        Assert.True(cal.NegativeLogLikelihoodAfter <= cal.NegativeLogLikelihoodBefore + 1e-9);
        Assert.InRange(cal.Temperature, 0.05, 20);
    }

    [Fact]
    public void Fit_WithValidationSetFractionZero_TrainsOnEveryRowWithoutCalibration()
    {
        var options = TinyOptions(epochs: 1);
        options.ValidationSetFraction = 0;
        var reports = new List<TrainingProgress>();
        options.MetricsCallback = reports.Add;

        var model = Trainer(options).Fit(Keyed(200));

        Assert.Null(model.Info.Calibration);
        Assert.Equal(1.0, model.Temperature);
        Assert.Null(model.History[0].ValidationLoss);
        Assert.Contains(reports, r => r.Message?.Contains("200 training and 0 validation images", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void TestOnTrainSet_RecordsTheTrainingImagesInEvaluationMode()
    {
        var options = TinyOptions(epochs: 2, layers: TinyBatchNormLayers);
        options.TestOnTrainSet = true;

        var model = Trainer(options).Fit(Keyed(200));

        Assert.All(model.History, e =>
        {
            Assert.InRange(e.TrainEvalAccuracy!.Value, 0, 1);
            Assert.True(e.TrainEvalLoss > 0);
        });
        Assert.NotEqual(model.History[1].TrainingLoss, model.History[1].TrainEvalLoss!.Value);
    }

    [Fact]
    public void Fit_Cancelled_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var options = TinyOptions(epochs: 3);
        options.ProgressInterval = 1;
        options.CancellationToken = cancel.Token;
        options.MetricsCallback = r =>
        {
            if (r.Kind == TrainingProgressKind.Batch && r.Batch == 2)
                cancel.Cancel();
        };

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer(options).Fit(Keyed(300)));
    }

    [Fact]
    public void FastPreset_BuildsTheEngineReferenceNetwork()
    {
        var spec = NetworkSpec.Parse(ImageClassificationPreset.Fast.Layers, 1, 28, 28, 10);
        var fromSpec = spec.Build(new MlNetDigits.Engine.Rng(3)).StateDict().ToList();
        var reference = MlNetDigits.Engine.Architectures.Fast(new MlNetDigits.Engine.Rng(3)).StateDict().ToList();

        Assert.Equal(reference.Select(e => e.Key), fromSpec.Select(e => e.Key));
        for (int i = 0; i < reference.Count; i++)
            Assert.Equal(reference[i].Value.Data, fromSpec[i].Value.Data);
    }

    [Fact]
    public void ClassicPreset_BuildsTheEngineReferenceNetwork()
    {
        var spec = NetworkSpec.Parse(ImageClassificationPreset.Classic.Layers, 1, 28, 28, 10);
        var fromSpec = spec.Build(new MlNetDigits.Engine.Rng(3)).StateDict().ToList();
        var reference = MlNetDigits.Engine.Architectures.Classic(new MlNetDigits.Engine.Rng(3)).StateDict().ToList();

        Assert.Equal(reference.Select(e => e.Key), fromSpec.Select(e => e.Key));
        for (int i = 0; i < reference.Count; i++)
            Assert.Equal(reference[i].Value.Data, fromSpec[i].Value.Data);
    }

    internal static void AssertSameWeights(ImageClassificationTransformer a, ImageClassificationTransformer b)
    {
        var wa = a.GetWeights();
        var wb = b.GetWeights();
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        foreach (var (name, tensor) in wa)
            Assert.True(tensor.Data.AsSpan().SequenceEqual(wb[name].Data), $"weights '{name}' differ");
    }

    private sealed class TextRow
    {
        public string Name { get; set; } = "";

        public float[] Image { get; set; } = [];
    }

    private sealed class TextPrediction
    {
        public string Name { get; set; } = "";

        public string PredictedName { get; set; } = "";
    }
}
