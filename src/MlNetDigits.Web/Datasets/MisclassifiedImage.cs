namespace MlNetDigits.Web.Datasets;

/// <summary>One test image a model got wrong: its index, true label, predicted digit and every class probability.</summary>
/// <remarks>Not the library's <see cref="MlNetDigits.Misclassification"/> (a row of an evaluated data view with its top three classes): the gallery shows every probability.</remarks>
/// <param name="Index">The image's index in the test split.</param>
/// <param name="Label">The true digit.</param>
/// <param name="Predicted">The predicted digit (the class with the highest probability).</param>
/// <param name="Confidence">The probability of the predicted digit.</param>
/// <param name="Probabilities">Every class probability, in class order.</param>
public sealed record MisclassifiedImage(int Index, int Label, int Predicted, float Confidence, float[] Probabilities);
