using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;
using MlNetDigits.Trainers;
using Options = MlNetDigits.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options;

namespace MlNetDigits.Tests.Trainers;

public sealed class MulticlassPredictionTransformerTests
{
    [Fact]
    public void Transform_GivesKeyPredictionsWithKeyValues_ForAKeyLabel()
    {
        var data = SdcaTestData.Blobs(rows: 90, features: 4, classes: 3, seed: 6, keyLabel: true);
        var (model, _) = SdcaTestData.Train(data, new Options { NumberOfThreads = 1, Seed = 1 });

        var scored = model.Transform(data);
        var predicted = scored.Schema["PredictedLabel"];
        Assert.Equal(new KeyDataViewType(3), predicted.Type);
        Assert.True(predicted.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.KeyValues, out var keyValues));
        Assert.Equal(["a", "b", "c"], keyValues.ToArray());
        var score = scored.Schema["Score"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), score.Type);
        Assert.True(score.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var slots));
        Assert.Equal(["a", "b", "c"], slots.ToArray());
        Assert.True(score.Annotations.TryGetValue<string>(AnnotationKinds.ScoreColumnKind, out var kind));
        Assert.Equal("MulticlassClassification", kind);

        using var cursor = scored.GetRowCursor([scored.Schema["Label"], score, predicted]);
        var getLabel = cursor.GetGetter<uint>(scored.Schema["Label"]);
        var getScore = cursor.GetGetter<VBuffer<float>>(score);
        var getPredicted = cursor.GetGetter<uint>(predicted);
        uint label = 0, key = 0;
        VBuffer<float> probabilities = default;
        int correct = 0, rows = 0;
        while (cursor.MoveNext())
        {
            getPredicted(ref key);
            getScore(ref probabilities);
            getLabel(ref label);
            var p = probabilities.GetValues();
            Assert.Equal(1.0, p.ToArray().Sum(v => (double)v), 5);
            Assert.Equal(MulticlassPredictionTransformer.ArgMax(p) + 1, (int)key);
            correct += key == label ? 1 : 0;
            rows++;
        }
        Assert.True(correct > rows * 0.6, $"{correct}/{rows} correct");
    }

    [Fact]
    public void Transform_GivesIntegerPredictionsAndDigitSlotNames_ForAUInt32Label()
    {
        var data = SdcaTestData.Blobs(rows: 90, features: 4, classes: 3, seed: 6);
        var (model, _) = SdcaTestData.Train(data, new Options { NumberOfThreads = 1, Seed = 1 });

        var scored = model.Transform(data);
        Assert.Equal(NumberDataViewType.UInt32, scored.Schema["PredictedLabel"].Type);
        Assert.True(scored.Schema["Score"].Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var slots));
        Assert.Equal(["0", "1", "2"], slots.ToArray());
        var shape = new DigitsContext(1).MulticlassClassification.Trainers.SdcaMaximumEntropy().GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.True(shape.TryFindColumn("PredictedLabel", out var predicted));
        Assert.Equal(NumberDataViewType.UInt32, predicted.ItemType);
    }

    [Fact]
    public void Transform_ThrowsSchemaException_GivenFeaturesOfAnotherSize()
    {
        var (model, _) = SdcaTestData.Train(SdcaTestData.Blobs(rows: 60, features: 4, classes: 3, seed: 6), new Options { NumberOfThreads = 1, Seed = 1 });
        var other = SdcaTestData.Blobs(rows: 10, features: 5, classes: 3, seed: 6);

        var e = Assert.Throws<SchemaException>(() => model.Transform(other));
        Assert.Equal("Features", e.ColumnName);
        Assert.Contains("4 items", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveAndLoad_GiveTheSameScoresAndLabelTypes()
    {
        var data = SdcaTestData.Blobs(rows: 90, features: 4, classes: 3, seed: 6, keyLabel: true);
        var (model, _) = SdcaTestData.Train(data, new Options { NumberOfThreads = 1, Seed = 1 });
        var context = new DigitsContext(1);

        using var stream = new MemoryStream();
        context.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = context.Model.Load(stream, out _);

        var original = SdcaTestData.Scores(model, data);
        var reloaded = SdcaTestData.Scores(loaded, data);
        Assert.Equal(original.Count, reloaded.Count);
        for (int i = 0; i < original.Count; i++)
            Assert.Equal(original[i], reloaded[i]);
        var loadedModel = Assert.IsType<MaximumEntropyPredictionTransformer>(loaded);
        Assert.Equal(model.Summary, loadedModel.Summary);
        Assert.Equal(model.Transform(data).Schema["PredictedLabel"].Type, loaded.Transform(data).Schema["PredictedLabel"].Type);
        Assert.True(loaded.Transform(data).Schema["PredictedLabel"].Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.KeyValues, out var kv));
        Assert.Equal(["a", "b", "c"], kv.ToArray());
    }

    [Fact]
    public void Load_Throws_GivenTruncatedWeights()
    {
        var (model, _) = SdcaTestData.Train(SdcaTestData.Blobs(rows: 60, features: 4, classes: 3, seed: 6), new Options { NumberOfThreads = 1, Seed = 1 });
        var entries = new Dictionary<string, byte[]>();
        ModelStageRegistry.SaveStage(entries, "m", model);
        entries["m/weights.bin"] = entries["m/weights.bin"][..^4];

        var e = Assert.Throws<InvalidModelException>(() => ModelStageRegistry.LoadStage(entries, "m"));
        Assert.Contains("weights.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictProbabilitiesBatch_MatchesOneRowAtATime()
    {
        var (x, _) = SdcaTestData.BlobArrays(rows: 7, features: 4, classes: 3, seed: 9);
        var (model, _) = SdcaTestData.Train(SdcaTestData.Blobs(rows: 60, features: 4, classes: 3, seed: 6), new Options { NumberOfThreads = 1, Seed = 1 });
        var batch = new float[7 * 3];
        model.PredictProbabilitiesBatch(x, batch);
        var one = new float[3];
        for (int i = 0; i < 7; i++)
        {
            model.PredictProbabilities(x.AsSpan(i * 4, 4), one);
            Assert.Equal(one, batch.AsSpan(i * 3, 3).ToArray());
        }
        Assert.Throws<ArgumentException>(() => model.PredictProbabilities(x.AsSpan(0, 3), one));
    }
}
