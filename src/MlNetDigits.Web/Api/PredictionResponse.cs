namespace MlNetDigits.Web.Api;

/// <summary>What the API answers for one image.</summary>
/// <param name="Model">The model's name in this app ("cnn", "sdca").</param>
/// <param name="ModelVersion">The first 12 hex digits of the model file's SHA-256: changes when the file is replaced.</param>
/// <param name="Digit">The predicted class name ("0".."9").</param>
/// <param name="Confidence">The predicted class's probability.</param>
/// <param name="ConfidenceText">
/// <paramref name="Confidence"/> as a percentage that is never rounded up to "100 %" ("99.96 %", "&gt; 99.9999 %"; only
/// exactly 1 is "100 %"), as <see cref="ConfidenceFormat.Percent"/> writes it.
/// </param>
/// <param name="IsDigit">False when the image is not a digit (blank, a dot, too little ink, not digit-like).</param>
/// <param name="NotADigitReason">
/// Why it is not a digit, in camelCase: <c>blank</c>, <c>dot</c>, <c>tooLittleInk</c> or <c>notDigitLike</c>; null when it is a digit.
/// </param>
/// <param name="NotADigitScore">The model's out-of-distribution score (above 0: not digit-like), or null for a model without one (SDCA).</param>
/// <param name="Unsure">True when the prediction should not be trusted (not a digit, or low confidence).</param>
/// <param name="UnsureReason">Why it is unsure, in words; null when sure.</param>
/// <param name="Classes">The class names, in the order of <paramref name="Probabilities"/>.</param>
/// <param name="Probabilities">Every class probability, in class order.</param>
/// <param name="Image">The 28x28 image the model saw as a PNG data URL (white ink on black), when asked for with <c>image=true</c>.</param>
public sealed record PredictionResponse(
    string Model,
    string ModelVersion,
    string Digit,
    float Confidence,
    string ConfidenceText,
    bool IsDigit,
    string? NotADigitReason,
    float? NotADigitScore,
    bool Unsure,
    string? UnsureReason,
    IReadOnlyList<string> Classes,
    float[] Probabilities,
    string? Image)
{
    /// <summary>The response for <paramref name="prediction"/> by model <paramref name="model"/>.</summary>
    public static PredictionResponse From(string model, DigitPrediction prediction, bool includeImage)
    {
        var probabilities = prediction.Probabilities;
        var classes = new string[probabilities.Count];
        var scores = new float[probabilities.Count];
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i] = probabilities[i].ClassName;
            scores[i] = probabilities[i].Score;
        }
        return new PredictionResponse(model, prediction.Model.Version, prediction.Digit, prediction.Confidence, prediction.ConfidenceText,
            prediction.IsDigit, prediction.NotADigitReason.ToJsonName(), prediction.NotADigitScore, prediction.IsUnsure,
            prediction.UnsureReason, classes, scores, includeImage ? DataUrl(prediction.Image) : null);
    }

    /// <summary>A gray image as a <c>data:image/png;base64,...</c> URL.</summary>
    public static string DataUrl(GrayImage image) => "data:image/png;base64," + Convert.ToBase64String(ImageCodec.EncodePng(image));
}

/// <summary>The answer to a batch: one prediction per image, in request order.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="ModelVersion">The version of the model that made the first prediction.</param>
/// <param name="Count">How many images were classified.</param>
/// <param name="Predictions">The predictions, in request order.</param>
public sealed record BatchResponse(string Model, string ModelVersion, int Count, IReadOnlyList<PredictionResponse> Predictions);

/// <summary>Every served model's answer for one drawing, as the draw page shows them side by side.</summary>
/// <param name="HasInk">False when the image is blank (nothing brighter than the ink threshold).</param>
/// <param name="Image">The 28x28 image the models saw, as a PNG data URL.</param>
/// <param name="Models">One entry per configured model, in configuration order.</param>
public sealed record CompareResponse(bool HasInk, string Image, IReadOnlyList<CompareEntry> Models);

/// <summary>One model's answer in a <see cref="CompareResponse"/>.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Available">False when the model is missing or failed to load.</param>
/// <param name="Error">Why it is not available, or null.</param>
/// <param name="Prediction">The prediction, or null when not available.</param>
public sealed record CompareEntry(string Name, bool Available, string? Error, PredictionResponse? Prediction);
