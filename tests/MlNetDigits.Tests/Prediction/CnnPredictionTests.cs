using MlNetDigits.Data;
using MlNetDigits.Prediction;
using static MlNetDigits.Tests.Prediction.PredictionTestModels;

namespace MlNetDigits.Tests.Prediction;

/// <summary>The prediction engine and the facade over a CNN (ImageClassificationTransformer) trained on the sample.</summary>
public sealed class CnnPredictionTests
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

    private static PredictionEngine<DigitInput, DigitOutput> Engine()
    {
        var context = new DigitsContext(seed: 1);
        var model = context.Model.Load(new MemoryStream(CnnModel.FileBytes), out var schema);
        return context.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model, schema);
    }

    [Fact]
    public void Predict_MatchesTheDataViewPathAndIsAccurate()
    {
        var engine = Engine();
        var context = new DigitsContext(seed: 1);
        var scored = context.Data.CreateEnumerable<DigitOutput>(CnnModel.Model.Transform(TestData()), ignoreMissingColumns: true).Take(300).ToList();
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
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], engine.GetClassNames());
    }

    [Fact]
    public void PredictIntoTheSameObject_AllocatesNothingAfterWarmUp()
    {
        var engine = Engine();
        var inputs = TestDigits(20).Select(d => new DigitInput { Image = d.Pixels }).ToArray();
        var output = new DigitOutput();
        for (int i = 0; i < 3 * inputs.Length; i++)
            engine.Predict(inputs[i % inputs.Length], ref output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            engine.Predict(inputs[i % inputs.Length], ref output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DigitClassifier_WithACnn_FindsOffCentreInvertedDigitsInPngs()
    {
        using var classifier = DigitClassifier.Load(new MemoryStream(CnnModel.FileBytes), name: "cnn-test");
        int correct = 0, total = 0;
        foreach (var (pixels, label) in TestDigits(40))
        {
            // Dark ink on white paper, in the lower left of a 90 x 70 canvas.
            var canvas = Enumerable.Repeat((byte)255, 90 * 70).ToArray();
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    canvas[(38 + y) * 90 + 4 + x] = (byte)(255 - pixels[y * 28 + x]);
            var prediction = classifier.Classify(MlNetDigits.Imaging.PngEncoder.EncodeGray(90, 70, canvas));
            total++;
            if (prediction.Digit == label.ToString(System.Globalization.CultureInfo.InvariantCulture))
                correct++;
        }
        Assert.True(correct >= 32, $"{correct} of {total} right.");
    }
}
