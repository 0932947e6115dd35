
namespace MlNetDigits;

/// <summary>What a <see cref="DigitClassifier"/> says about one image.</summary>
public sealed class DigitPrediction
{
    internal DigitPrediction(ClassScore[] probabilities, NotADigitReason notADigitReason, float? notADigitScore, bool isUnsure, string? unsureReason,
        GrayImage image, PreprocessedDigit? preprocessed, LoadedModel model)
    {
        NotADigitReason = notADigitReason;
        NotADigitScore = notADigitScore;
        Probabilities = probabilities;
        var ranked = probabilities.OrderByDescending(p => p.Score).ThenBy(p => p.ClassIndex).ToArray();
        Ranked = ranked;
        Best = ranked[0];
        Margin = ranked.Length > 1 ? ranked[0].Score - ranked[1].Score : ranked[0].Score;
        IsUnsure = isUnsure;
        UnsureReason = unsureReason;
        Image = image;
        Preprocessed = preprocessed;
        Model = model;
    }

    /// <summary>The predicted class name (for digits "0".."9").</summary>
    public string Digit => Best.ClassName;

    /// <summary>The predicted class: its slot, name and probability.</summary>
    public ClassScore Best { get; }

    /// <summary>The probability of the predicted class: the model's Score (a CNN's is temperature-calibrated).</summary>
    public float Confidence => Best.Score;

    /// <summary><see cref="Confidence"/> as a percentage that is never rounded up to "100 %" (see <see cref="ConfidenceFormat"/>).</summary>
    public string ConfidenceText => ConfidenceFormat.Percent(Confidence);

    /// <summary>
    /// False when the image is not a digit: blank, a dot, too little ink, or not digit-like by the model's
    /// out-of-distribution score; <see cref="NotADigitReason"/> says which and <see cref="UnsureReason"/> explains it.
    /// <see cref="Digit"/> and the probabilities are still the model's answer, but should not be shown as a digit.
    /// </summary>
    public bool IsDigit => NotADigitReason == NotADigitReason.None;

    /// <summary>Why the image is not a digit; <see cref="NotADigitReason.None"/> when it is one.</summary>
    public NotADigitReason NotADigitReason { get; }

    /// <summary>
    /// The model's out-of-distribution score (its "OodScore": above 0, less like a digit than its threshold allows); null
    /// when the model has none (SDCA, older CNNs), in which case the top probability stands in for it.
    /// </summary>
    public float? NotADigitScore { get; }

    /// <summary>The probability of the predicted class minus that of the runner-up.</summary>
    public float Margin { get; }

    /// <summary>Every class with its probability, in the model's slot order (for digits "0" first).</summary>
    public IReadOnlyList<ClassScore> Probabilities { get; }

    /// <summary>Every class with its probability, most probable first.</summary>
    public IReadOnlyList<ClassScore> Ranked { get; }

    /// <summary>
    /// True when the prediction should not be trusted: the image is not a digit (<see cref="IsDigit"/> is false), the
    /// confidence is below the threshold, or the margin below the minimum.
    /// </summary>
    public bool IsUnsure { get; }

    /// <summary>Why <see cref="IsUnsure"/> is true, in words; null when it is false.</summary>
    public string? UnsureReason { get; }

    /// <summary>The 28x28 image the model saw (white ink on black, 0..255).</summary>
    public GrayImage Image { get; }

    /// <summary>Every preprocessing step from the input to <see cref="Image"/>; null when the caller gave MNIST-format pixels.</summary>
    public PreprocessedDigit? Preprocessed { get; }

    /// <summary>The model that made the prediction (name and content version).</summary>
    public LoadedModel Model { get; }

    public override string ToString() => IsDigit
        ? $"{Digit} ({ConfidenceText}{(IsUnsure ? ", unsure" : "")}) by {Model}"
        : $"not a digit ({NotADigitReason}; the model's best guess {Digit} at {ConfidenceText}) by {Model}";
}
