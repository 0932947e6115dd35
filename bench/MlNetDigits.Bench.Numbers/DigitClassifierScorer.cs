
namespace MlNetDigits.Bench.Numbers;

/// <summary>
/// The one place the benchmark touches the prediction API: a saved model behind <see cref="DigitClassifier"/>, asked
/// through <see cref="DigitClassifier.Classify28x28(ReadOnlySpan{float})"/>. Replace this class when that API changes.
/// </summary>
internal sealed class DigitClassifierScorer : IDigitScorer, IDisposable
{
    private readonly DigitClassifier _classifier;

    public DigitClassifierScorer(string modelPath) => _classifier = DigitClassifier.Load(modelPath);

    /// <summary>The classifier itself, for the facade mode (<see cref="DigitClassifier.ReadNumber(GrayImage)"/>).</summary>
    public DigitClassifier Classifier => _classifier;

    public float ConfidenceThreshold => DigitClassifierOptions.Defaults.ConfidenceThreshold;

    public float[] Score(ReadOnlySpan<float> mnistPixels)
    {
        var prediction = _classifier.Classify28x28(mnistPixels);
        var probabilities = new float[10];
        foreach (var score in prediction.Probabilities)
        {
            if (!int.TryParse(score.ClassName, out int digit) || digit is < 0 or > 9)
                throw new InvalidOperationException(
                    $"The model's classes should be the digits \"0\"..\"9\"; found class \"{score.ClassName}\". Benchmark a digit model.");
            probabilities[digit] = score.Score;
        }
        return probabilities;
    }

    public void Dispose() => _classifier.Dispose();
}
