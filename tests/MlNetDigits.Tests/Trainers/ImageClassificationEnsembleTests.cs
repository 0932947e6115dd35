using static MlNetDigits.Tests.ImageClassificationTestData;

namespace MlNetDigits.Tests;

public sealed class ImageClassificationEnsembleTests
{
    private static ImageClassificationTransformer Member(int seed, string[]? layers = null)
    {
        var options = TinyOptions(epochs: 1, layers: layers ?? TinyLayers);
        options.Seed = seed;
        return Trainer(options).Fit(Keyed(200));
    }

    [Fact]
    public void Ensemble_AveragesTheMembersProbabilities_AndSavesAndLoadsAsOneModel()
    {
        var members = new[] { Member(1), Member(2), Member(3, TinyBatchNormLayers) };
        var test = Keyed(40, test: true);
        var each = members.Select(m => Scores(m.Transform(test))).ToArray();

        var ensemble = ImageClassificationEnsemble.Create(members);

        var scores = Scores(ensemble.Transform(test));
        for (int i = 0; i < scores.Length; i++)
            Assert.Equal(each.Average(s => s[i]), scores[i], 5);
        var predicted = Column<uint>(ensemble.Transform(test), "PredictedLabel");
        for (int r = 0; r < predicted.Length; r++)
            Assert.Equal((uint)System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(scores.AsSpan(r * 10, 10)) + 1, predicted[r]);
        Assert.Equal(3, ensemble.Info.Members!.Count);
        Assert.Equal(members[2].Info.Layers, ensemble.Info.Members[2].Layers);
        Assert.Throws<InvalidOperationException>(() => ensemble.GetWeights());

        var ml = new MLContext(1);
        using var stream = new MemoryStream();
        ml.Model.Save(ensemble, test.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        Assert.Equal(scores, Scores(loaded.Transform(test)));
        Assert.Equal(3, CnnModelInfo.FromModel(ml, loaded)!.Members!.Count);
    }

    [Fact]
    public void Ensemble_OfMembersWithOtherClasses_Throws()
    {
        var ten = Member(1);
        var ml = new MLContext(1);
        var rows = ImagesFrom(Rows(300).Where(r => r.Label < 3).ToList());
        var other = Trainer(TinyOptions(epochs: 1)).Fit(KeyMapping(ml).Fit(rows).Transform(rows));

        var e = Assert.Throws<ArgumentException>(() => ImageClassificationEnsemble.Create([ten, other]));
        Assert.Contains("must share their classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GivesBackTheCnnOfAModelFile_WithItsHistoryAndWeights()
    {
        var ml = new MLContext(1);
        var train = Images(200);
        var model = KeyMapping(ml).Append(ml.MulticlassClassification.Trainers.ImageClassification(TinyOptions(epochs: 2)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
        var path = Path.Combine(Path.GetTempPath(), $"mlnd-load-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, path);
        try
        {
            var cnn = ImageClassificationTransformer.Load(ml, path);

            var trained = (ImageClassificationTransformer)((IEnumerable<ITransformer>)model).ElementAt(1);
            ImageClassificationTrainerTests.AssertSameWeights(trained, cnn);
            Assert.Equal(trained.History, cnn.History);
            var test = Keyed(30, test: true);
            Assert.Equal(Scores(trained.Transform(test)), Scores(cnn.Transform(test)));
            Assert.Equal(trained.Transform(test).Schema["PredictedLabel"].Type, cnn.Transform(test).Schema["PredictedLabel"].Type);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
