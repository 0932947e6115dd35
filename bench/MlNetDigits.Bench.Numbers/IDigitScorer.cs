namespace MlNetDigits.Bench.Numbers;

/// <summary>A digit classifier as the benchmark sees it: MNIST-format pixels in, ten probabilities out.</summary>
internal interface IDigitScorer
{
    /// <summary>The probability of each digit 0..9 for one image. // pixels: (28, 28) white ink on black, 0..255, centred as MNIST</summary>
    float[] Score(ReadOnlySpan<float> mnistPixels);

    /// <summary>A prediction whose top probability is below this counts as unsure, as the facade would flag it.</summary>
    float ConfidenceThreshold { get; }
}
