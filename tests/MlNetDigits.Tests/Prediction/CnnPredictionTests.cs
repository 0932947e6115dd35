using static MlNetDigits.Tests.TestModels;

namespace MlNetDigits.Tests;

/// <summary>ML.NET's prediction engine and the facade over a saved CNN trained on the sample.</summary>
public sealed class CnnPredictionTests
{
    private sealed class DigitInput
    {
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }

    private sealed class DigitOutput
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private static PredictionEngine<DigitInput, DigitOutput> Engine()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(new MemoryStream(CnnModel.FileBytes), out _);
        return ml.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model);
    }

    [Fact]
    public void Predict_MatchesTheDataViewPathAndIsAccurate()
    {
        var engine = Engine();
        var ml = new MLContext(seed: 1);
        var scored = ml.Data.CreateEnumerable<DigitOutput>(CnnModel.Model.Transform(TestData()), reuseRowObject: false, ignoreMissingColumns: true).Take(300).ToList();
        var digits = TestDigits(300);
        int correct = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            var prediction = engine.Predict(new DigitInput { Image = digits[i].Pixels });
            Assert.Equal(scored[i].Score, prediction.Score);
            Assert.Equal(scored[i].PredictedLabel, prediction.PredictedLabel);
            if (prediction.PredictedLabel == digits[i].Label)
                correct++;
        }
        Assert.InRange(correct, 240, 300);
    }

    [Fact]
    public void DigitClassifier_WithACnn_FindsOffCentreInvertedDigitsInPngs()
    {
        using var classifier = DigitClassifier.FromModel(CnnModel.Model, CnnModel.InputSchema);
        int correct = 0, total = 0;
        foreach (var (pixels, label) in TestDigits(40))
        {
            // Dark ink on white paper, in the lower left of a 90 x 70 canvas.
            var canvas = Enumerable.Repeat((byte)255, 90 * 70).ToArray();
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    canvas[(38 + y) * 90 + 4 + x] = (byte)(255 - pixels[y * 28 + x]);
            var prediction = classifier.Classify(ImageCodec.EncodePng(GrayImage.FromBytes(90, 70, canvas)));
            total++;
            if (prediction.Digit == label.ToString(System.Globalization.CultureInfo.InvariantCulture))
                correct++;
        }
        Assert.True(correct >= 32, $"{correct} of {total} right.");
    }
}
