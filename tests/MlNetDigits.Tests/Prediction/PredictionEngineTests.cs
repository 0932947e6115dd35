using MlNetDigits.Data;
using MlNetDigits.Prediction;
using static MlNetDigits.Tests.Prediction.PredictionTestModels;

namespace MlNetDigits.Tests.Prediction;

public sealed class PredictionEngineTests
{
    private sealed class DigitInput
    {
        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }

    private sealed class DigitOutput
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private sealed class FlatInput
    {
        [ColumnName("Image"), VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    private sealed class MisnamedOutput
    {
        [ColumnName("Scores")]
        public float[] Score { get; set; } = [];
    }

    private sealed class MistypedOutput
    {
        public double[] Score { get; set; } = [];
    }

    private sealed class WrongSizeInput
    {
        [VectorType(10, 10)]
        public float[] Image { get; set; } = [];
    }

    private sealed class NoImageInput
    {
        [VectorType(28, 28)]
        public float[] Picture { get; set; } = [];
    }

    private static PredictionEngine<DigitInput, DigitOutput> LoadedEngine(out DigitsContext context)
    {
        context = new DigitsContext(seed: 1);
        using var stream = new MemoryStream(SdcaModel.FileBytes);
        var model = context.Model.Load(stream, out var schema);
        return context.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model, schema);
    }

    [Fact]
    public void Predict_MatchesTheDataViewPathOfTheLoadedModel()
    {
        var engine = LoadedEngine(out var context);
        var scored = context.Data.CreateEnumerable<DigitOutput>(SdcaModel.Model.Transform(TestData()), ignoreMissingColumns: true).Take(200).ToList();
        var digits = TestDigits(200);
        for (int i = 0; i < digits.Length; i++)
        {
            var prediction = engine.Predict(new DigitInput { Image = digits[i].Pixels });
            Assert.Equal(scored[i].Score, prediction.Score);
            Assert.Equal(scored[i].PredictedLabel, prediction.PredictedLabel);
        }
    }

    [Fact]
    public void Predict_FromTheInMemoryChainWithoutSchema_EqualsTheLoadedModel()
    {
        var loaded = LoadedEngine(out var context);
        var inMemory = context.Model.CreatePredictionEngine<DigitInput, DigitOutput>(SdcaModel.Model);
        foreach (var (pixels, _) in TestDigits(20))
            Assert.Equal(loaded.Predict(new DigitInput { Image = pixels }).Score, inMemory.Predict(new DigitInput { Image = pixels }).Score);
    }

    [Fact]
    public void Predict_IsAccurateOnTheSampleTestSplit()
    {
        var engine = LoadedEngine(out _);
        var digits = TestDigits(1000);
        int correct = digits.Count(d => engine.Predict(new DigitInput { Image = d.Pixels }).PredictedLabel == d.Label);
        Assert.InRange(correct, 800, 1000);
    }

    [Fact]
    public void PredictIntoTheSameObject_ReusesItsArraysAndAllocatesNothingAfterWarmUp()
    {
        var engine = LoadedEngine(out _);
        var inputs = TestDigits(50).Select(d => new DigitInput { Image = d.Pixels }).ToArray();
        var output = new DigitOutput();
        engine.Predict(inputs[0], ref output);
        var scores = output.Score;
        for (int i = 0; i < inputs.Length; i++)
            engine.Predict(inputs[i], ref output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 4; round++)
            for (int i = 0; i < inputs.Length; i++)
                engine.Predict(inputs[i], ref output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Same(scores, output.Score);
    }

    [Fact]
    public void ClassNames_PairEachScoreSlotWithItsLabelValue()
    {
        var engine = LoadedEngine(out _);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], engine.GetClassNames());
        var (pixels, label) = TestDigits(1)[0];
        var prediction = engine.Predict(new DigitInput { Image = pixels });
        var classScores = engine.GetClassScores(prediction.Score);
        var best = classScores.MaxBy(c => c.Score);
        Assert.Equal(prediction.PredictedLabel.ToString(System.Globalization.CultureInfo.InvariantCulture), best.ClassName);
        Assert.Equal(label.ToString(System.Globalization.CultureInfo.InvariantCulture), best.ClassName);
        Assert.Equal(1f, classScores.Sum(c => c.Score), 3);
    }

    [Fact]
    public void Create_FeedsAFlatVectorMemberToTheSavedImageColumn()
    {
        var context = new DigitsContext(seed: 1);
        var engine = context.Model.CreatePredictionEngine<FlatInput, DigitOutput>(SdcaModel.Model, SdcaModel.InputSchema);
        var reference = LoadedEngine(out _);
        var (pixels, _) = TestDigits(1)[0];
        Assert.Equal(reference.Predict(new DigitInput { Image = pixels }).Score, engine.Predict(new FlatInput { Pixels = pixels }).Score);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 28, 28), engine.InputSchema["Image"].Type);
    }

    [Fact]
    public void Create_ThrowsNamingTheMemberGivenAnOutputColumnTheModelLacks()
    {
        var context = new DigitsContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => context.Model.CreatePredictionEngine<DigitInput, MisnamedOutput>(SdcaModel.Model));
        Assert.Contains("MisnamedOutput.Score", e.Message);
        Assert.Contains("'Scores'", e.Message);
        Assert.Contains("'PredictedLabel'", e.Message);
    }

    [Fact]
    public void Create_IgnoresAMissingOutputColumnWhenAskedTo()
    {
        var context = new DigitsContext(seed: 1);
        var engine = context.Model.CreatePredictionEngine<DigitInput, MisnamedOutput>(SdcaModel.Model,
            new PredictionEngineOptions { IgnoreMissingOutputColumns = true });
        Assert.Empty(engine.Predict(new DigitInput { Image = TestDigits(1)[0].Pixels }).Score);
    }

    [Fact]
    public void Create_ThrowsGivenAnOutputMemberOfAnotherItemType()
    {
        var context = new DigitsContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => context.Model.CreatePredictionEngine<DigitInput, MistypedOutput>(SdcaModel.Model));
        Assert.Contains("Column 'Score' is Vector<Single, 10>", e.Message);
        Assert.Contains("Single[]", e.Message);
    }

    [Fact]
    public void Create_ThrowsGivenAnInputVectorOfAnotherSizeThanTheSavedSchema()
    {
        var context = new DigitsContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => context.Model.CreatePredictionEngine<WrongSizeInput, DigitOutput>(SdcaModel.Model, SdcaModel.InputSchema));
        Assert.Contains("WrongSizeInput.Image", e.Message);
        Assert.Contains("Vector<Single, 28, 28>", e.Message);
    }

    [Fact]
    public void Create_ThrowsNamingTheColumnTheModelNeedsAndTheInputLacks()
    {
        var context = new DigitsContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => context.Model.CreatePredictionEngine<NoImageInput, DigitOutput>(SdcaModel.Model, SdcaModel.InputSchema));
        Assert.Contains("'Image'", e.Message);
        Assert.Contains("NoImageInput", e.Message);
    }

    [Fact]
    public void Predict_ThrowsClearlyGivenAnArrayOfTheWrongLength()
    {
        var engine = LoadedEngine(out _);
        var e = Assert.Throws<InvalidOperationException>(() => engine.Predict(new DigitInput { Image = new float[100] }));
        Assert.Contains("100 items", e.Message);
        Assert.Contains("784", e.Message);
        // The engine stays usable after a bad example.
        Assert.Equal(10, engine.Predict(new DigitInput { Image = TestDigits(1)[0].Pixels }).Score.Length);
    }

    [Fact]
    public void Predict_ThrowsGivenNull()
    {
        var engine = LoadedEngine(out _);
        Assert.Throws<ArgumentNullException>(() => engine.Predict(null!));
    }
}
