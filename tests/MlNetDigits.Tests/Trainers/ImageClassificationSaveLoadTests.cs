using MlNetDigits.Trainers.ImageClassification;
using static MlNetDigits.Tests.Trainers.ImageClassificationTestData;

namespace MlNetDigits.Tests.Trainers;

public sealed class ImageClassificationSaveLoadTests
{
    [Fact]
    public void SaveLoad_GivesIdenticalOutputsHistoryAndCalibration()
    {
        var context = new DigitsContext(1);
        var train = Images(300);
        var model = context.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 2, layers: TinyBatchNormLayers)).Fit(train);
        using var stream = new MemoryStream();

        context.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = Assert.IsType<ImageClassificationTransformer>(context.Model.Load(stream, out var schema));

        var test = Images(50, test: true);
        Assert.Equal(Probabilities(model, test), Probabilities(loaded, test));
        Assert.Equal(model.History, loaded.History);
        Assert.Equal(model.Temperature, loaded.Temperature);
        Assert.Equal(model.Calibration, loaded.Calibration);
        Assert.Equal(model.Network.Layers, loaded.Network.Layers);
        Assert.Equal(model.Settings!.Layers, loaded.Settings!.Layers);
        Assert.Equal(model.Settings.Seed, loaded.Settings.Seed);
        Assert.NotNull(schema);
        var a = context.MulticlassClassification.Evaluate(model.Transform(test));
        var b = context.MulticlassClassification.Evaluate(loaded.Transform(test));
        Assert.Equal(a.MicroAccuracy, b.MicroAccuracy);
        Assert.Equal(a.LogLoss, b.LogLoss);
    }

    [Fact]
    public void Ensemble_AveragesProbabilitiesAndSavesAndLoads()
    {
        var context = new DigitsContext(1);
        var train = Images(200);
        var models = new[] { 1, 2 }.Select(seed =>
        {
            var options = TinyOptions(epochs: 1);
            options.Seed = seed;
            return context.MulticlassClassification.Trainers.ImageClassification(options).Fit(train);
        }).ToArray();
        var ensemble = context.MulticlassClassification.Ensemble(models);
        var test = Images(30, test: true);
        var (images, _) = test.GetVectorColumn<float>("Image");

        var combined = new float[30 * 10];
        ensemble.PredictProbabilitiesBatch(images.Span, combined);
        var p0 = Probabilities(models[0], test);
        var p1 = Probabilities(models[1], test);
        for (int i = 0; i < combined.Length; i++)
            Assert.Equal((p0[i] + p1[i]) / 2, combined[i], 6);

        using var stream = new MemoryStream();
        context.Model.Save(ensemble, train.Schema, stream);
        stream.Position = 0;
        var loaded = Assert.IsType<MulticlassEnsemble>(context.Model.Load(stream, out _));
        var again = new float[30 * 10];
        loaded.PredictProbabilitiesBatch(images.Span, again);
        Assert.Equal(combined, again);
        var metrics = context.MulticlassClassification.Evaluate(loaded.Transform(test));
        Assert.Equal(30, metrics.ConfusionMatrix.Counts.Sum(r => r.Sum()));
    }

    [Fact]
    public void Ensemble_OfModelsWithDifferentClasses_Throws()
    {
        var context = new DigitsContext(1);
        var ten = context.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 1)).Fit(Images(100));
        var fewer = Images(100);
        var labels = fewer.GetScalarColumn<uint>("Label").ToArray().Select(l => l % 3).ToArray();
        var three = new MlNetDigits.Data.InMemoryDataView.Builder()
            .AddScalar("Label", MlNetDigits.Data.NumberDataViewType.UInt32, labels)
            .AddVector("Image", (MlNetDigits.Data.VectorDataViewType)fewer.Schema["Image"].Type, fewer.GetVectorColumn<float>("Image").Values.ToArray(), fewer.Schema["Image"].Annotations)
            .Build();
        var other = context.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 1)).Fit(three);

        var e = Assert.Throws<ArgumentException>(() => context.MulticlassClassification.Ensemble(ten, other));
        Assert.Contains("must share their classes", e.Message, StringComparison.Ordinal);
    }
}
