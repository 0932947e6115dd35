
namespace MlNetDigits;

/// <summary>What a <see cref="DigitClassifier"/> says about one image.</summary>
public sealed class DigitPrediction
{
    internal DigitPrediction(ClassScore[] probabilities, bool isUnsure, string? unsureReason, GrayImage image,
        PreprocessedDigit? preprocessed, LoadedModel model)
    {
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

    /// <summary>The probability of the predicted class.</summary>
    public float Confidence => Best.Score;

    /// <summary>The probability of the predicted class minus that of the runner-up.</summary>
    public float Margin { get; }

    /// <summary>Every class with its probability, in the model's slot order (for digits "0" first).</summary>
    public IReadOnlyList<ClassScore> Probabilities { get; }

    /// <summary>Every class with its probability, most probable first.</summary>
    public IReadOnlyList<ClassScore> Ranked { get; }

    /// <summary>
    /// True when the prediction should not be trusted: the confidence is below the threshold, the margin below the minimum,
    /// or the image had no ink at all.
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

    public override string ToString() =>
        $"{Digit} ({Confidence:P1}{(IsUnsure ? ", unsure" : "")}) by {Model}";
}
