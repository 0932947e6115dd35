using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Trainers.ImageClassification;
using static MlNetDigits.Tests.Trainers.ImageClassificationTestData;

namespace MlNetDigits.Tests.Trainers;

public sealed class ImageClassificationTrainerTests
{
    [Fact]
    public void Fit_OnSample_LossFallsAndAccuracyIsFarAboveChance()
    {
        var context = new DigitsContext(1);
        var reports = new List<TrainingProgress>();
        var options = TinyOptions(epochs: 3);
        options.ProgressInterval = 5;
        var trainer = context.MulticlassClassification.Trainers.ImageClassification(options);

        var model = trainer.Fit(Images(1000), new SyncProgress(reports.Add), CancellationToken.None);
        var metrics = context.MulticlassClassification.Evaluate(model.Transform(Images(500, test: true)));

        Assert.Equal(3, model.History.Count);
        Assert.True(model.History[2].TrainingLoss < model.History[0].TrainingLoss * 0.8, $"loss {model.History[0].TrainingLoss} -> {model.History[2].TrainingLoss}");
        Assert.True(metrics.MicroAccuracy > 0.75, $"test accuracy {metrics.MicroAccuracy} (chance is 0.1)");
        Assert.All(model.History, e => Assert.NotNull(e.ValidationAccuracy));
        Assert.Contains(reports, r => r.Kind == TrainingProgressKind.Batch && r.Metrics.ContainsKey("imagesPerSecond") && r.EstimatedRemaining is not null);
        Assert.Equal(3, reports.Count(r => r.Kind == TrainingProgressKind.Epoch && r.Metrics.ContainsKey("validationLoss")));
    }

    [Fact]
    public void Transform_GivesSoftmaxScoreWithSlotNamesAndPredictedLabelInTheLabelType()
    {
        var context = new DigitsContext(1);
        var model = context.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 1)).Fit(Images(200));

        var scored = model.Transform(Images(20, test: true));

        var score = scored.Schema["Score"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 10), score.Type);
        Assert.True(score.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var names));
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], names.ToArray());
        Assert.Equal(NumberDataViewType.UInt32, scored.Schema["PredictedLabel"].Type);
        using var cursor = scored.GetRowCursor([score, scored.Schema["PredictedLabel"]]);
        var getScore = cursor.GetGetter<VBuffer<float>>(score);
        var getPredicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        VBuffer<float> s = default;
        uint predicted = 0;
        while (cursor.MoveNext())
        {
            getScore(ref s);
            getPredicted(ref predicted);
            Assert.Equal(1.0, s.GetValues().ToArray().Sum(v => (double)v), 4);
            Assert.Equal((uint)MlNetDigits.Trainers.MulticlassPredictionTransformer.ArgMax(s.GetValues()), predicted);
        }
    }

    [Fact]
    public void Fit_WithKeyLabel_PredictsKeysOfTheSameType()
    {
        var images = Images(200);
        var keys = images.GetScalarColumn<uint>("Label").ToArray().Select(l => l + 1).ToArray(); // digit d is key d + 1
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", new KeyDataViewType(10), keys)
            .AddVector("Image", (VectorDataViewType)images.Schema["Image"].Type, images.GetVectorColumn<float>("Image").Values.ToArray(), images.Schema["Image"].Annotations)
            .Build();
        var context = new DigitsContext(1);
        var model = context.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 2)).Fit(data);

        var scored = model.Transform(data);
        Assert.Equal(new KeyDataViewType(10), scored.Schema["PredictedLabel"].Type);
        var metrics = context.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MicroAccuracy > 0.5, $"training accuracy {metrics.MicroAccuracy}");
    }

    [Fact]
    public void PredictProbabilitiesBatch_MatchesRowByRowScoring()
    {
        var model = new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 1, layers: TinyBatchNormLayers)).Fit(Images(200));
        var data = Images(30, test: true);
        var batch = Probabilities(model, data);
        var (images, _) = data.GetVectorColumn<float>("Image");

        var one = new float[10];
        for (int i = 0; i < 30; i++)
        {
            model.PredictProbabilities(images.Span.Slice(i * 784, 784), one);
            for (int c = 0; c < 10; c++)
                Assert.Equal(batch[i * 10 + c], one[c], 1e-5);
        }
    }

    [Theory]
    [InlineData(BackendKind.Managed, "managed GEMM")]
    [InlineData(BackendKind.OpenBlas, "OpenBLAS GEMM")]
    public void Fit_WithABackend_TrainsOnIt(BackendKind backend, string described)
    {
        var reports = new List<TrainingProgress>();
        var options = TinyOptions(epochs: 1);
        options.Backend = backend;
        var trainer = new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(options);
        void Fit() => trainer.Fit(Images(100), new SyncProgress(reports.Add), CancellationToken.None);

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
    public void Fit_IsDeterministicForASeed()
    {
        var options = TinyOptions(epochs: 1, layers: TinyBatchNormLayers);
        options.Augmentation = new ImageAugmentationOptions();
        options.Shuffle = true;
        var a = new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(options).Fit(Images(300));
        var b = new DigitsContext(2).MulticlassClassification.Trainers.ImageClassification(options).Fit(Images(300));
        options.Seed = 8;
        var c = new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(options).Fit(Images(300));

        AssertSameWeights(a, b);
        Assert.NotEqual(a.GetWeights()["0.weight"].Data, c.GetWeights()["0.weight"].Data);
    }

    [Fact]
    public void EarlyStopping_RestoresTheWeightsOfTheBestEpoch()
    {
        // 100 training images and a high learning rate: the validation loss bottoms out early and then rises (overfitting).
        var options = TinyOptions(epochs: 12, layers: ["flatten", "dense 64", "relu"]);
        options.LearningRate = 2e-2;
        options.BatchSize = 10;
        options.ValidationSet = Images(200, test: true);
        options.Calibrate = false;
        options.EarlyStopping = new EarlyStoppingOptions { Patience = 2, Monitor = EarlyStoppingMetric.ValidationLoss };

        var model = new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(options).Fit(Images(100));

        var losses = model.History.Select(e => e.ValidationLoss!.Value).ToArray();
        int best = Array.IndexOf(losses, losses.Min());
        Assert.True(model.History.Count < 12, "training should stop early");
        Assert.True(best < losses.Length - 1, "the best epoch should not be the last");
        Assert.Equal(best + 3, model.History.Count); // patience 2: two epochs without improvement after the best
        // The model's own validation loss is the best epoch's, not the last one's.
        var validation = Images(200, test: true);
        var logits = new float[200 * 10];
        model.PredictLogitsBatch(validation.GetVectorColumn<float>("Image").Values.Span, logits);
        var labels = validation.GetScalarColumn<uint>("Label").ToArray().Select(l => (int)l).ToArray();
        Assert.Equal(losses[best], TemperatureScaling.NegativeLogLikelihood(logits, labels, 10, 1), 5);
    }

    [Fact]
    public void Calibrate_FitsATemperatureAndDoesNotRaiseTheValidationNll()
    {
        var options = TinyOptions(epochs: 2);
        var model = new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(options).Fit(Images(600));

        var cal = Assert.IsType<CalibrationResult>(model.Calibration);
        Assert.Equal(120, cal.ValidationCount);
        Assert.Equal(cal.Temperature, model.Temperature);
        Assert.True(cal.NegativeLogLikelihoodAfter <= cal.NegativeLogLikelihoodBefore + 1e-9);
        Assert.InRange(cal.Temperature, 0.05, 20);
    }

    [Fact]
    public void Fit_WithValidationFractionZero_TrainsOnEveryRowWithoutCalibration()
    {
        var options = TinyOptions(epochs: 1);
        options.ValidationFraction = 0;
        var reports = new List<TrainingProgress>();

        var model = new DigitsContext(1).MulticlassClassification.Trainers.ImageClassification(options)
            .Fit(Images(200), new SyncProgress(reports.Add), CancellationToken.None);

        Assert.Null(model.Calibration);
        Assert.Equal(1.0, model.Temperature);
        Assert.Null(model.History[0].ValidationLoss);
        Assert.Contains(reports, r => r.Message?.Contains("200 training and 0 validation images", StringComparison.Ordinal) == true);
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
}
