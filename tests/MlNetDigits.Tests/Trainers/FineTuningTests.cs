using static MlNetDigits.Tests.ImageClassificationTestData;

namespace MlNetDigits.Tests;

public sealed class FineTuningTests
{
    [Fact]
    public void InitialModel_StartsFromItsWeights_AndLearnsTheCorrections()
    {
        var ml = new MLContext(1);
        var first = Trainer(TinyOptions(epochs: 2)).Fit(Keyed(300));
        var test = Keyed(200, test: true);
        var scores = Scores(first.Transform(test));
        var labels = Column<uint>(test, "Label");
        var wrong = Enumerable.Range(0, labels.Length)
            .Where(i => System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(scores.AsSpan(i * 10, 10)) + 1 != labels[i]).Take(5).ToList();
        Assert.True(wrong.Count >= 3, $"the first model should get some test digits wrong; it got {wrong.Count} wrong");
        var testRows = Rows(200, test: true);
        var corrections = ImagesFrom([.. Enumerable.Repeat(wrong.Select(i => testRows[i]), 40).SelectMany(r => r)]);
        var options = TinyOptions(epochs: 2);
        options.InitialModel = first;
        options.ValidationSetFraction = 0;

        // The keys come from all ten digits, as they would from MNIST plus the corrections.
        var tuned = Trainer(options).Fit(KeyMapping(ml).Fit(Images(300)).Transform(corrections));

        Assert.Equal(first.Info.Layers, tuned.Info.Layers);
        Assert.NotNull(tuned.Info.Settings!.InitialModel);
        var after = Scores(tuned.Transform(test));
        Assert.All(wrong, i => Assert.Equal(labels[i], (uint)System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(after.AsSpan(i * 10, 10)) + 1));
    }

    [Fact]
    public void InitialModel_WithOtherClasses_ThrowsNamingBoth()
    {
        var ml = new MLContext(1);
        var first = Trainer(TinyOptions(epochs: 1)).Fit(Keyed(200));
        var three = ImagesFrom(Rows(300).Where(r => r.Label < 3).ToList());
        var options = TinyOptions(epochs: 1);
        options.InitialModel = first;

        var e = Assert.Throws<ArgumentException>(() => Trainer(options).Fit(KeyMapping(ml).Fit(three).Transform(three)));
        Assert.Contains("InitialModel predicts the classes", e.Message, StringComparison.Ordinal);
    }
}
