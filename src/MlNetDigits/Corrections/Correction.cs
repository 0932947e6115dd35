namespace MlNetDigits;

/// <summary>
/// One answer a person corrected: the digit they drew (as the model saw it, 28x28 MNIST-style, and as they drew it),
/// the right label, what the model had said, and which model and when.
/// </summary>
/// <param name="Id">The row id in the store (1, 2, ...).</param>
/// <param name="CreatedAt">When it was stored (UTC).</param>
/// <param name="Label">The right class (for digits, 0..9).</param>
/// <param name="Predicted">What the model answered, as shown (a class name, or null when it said "not a digit" or nothing).</param>
/// <param name="ModelName">The model that answered (e.g. "cnn-best").</param>
/// <param name="ModelVersion">Its version (the first hex digits of the model file's SHA-256).</param>
/// <param name="Pixels">The 784 MNIST-style pixels the model saw (white ink on black, 0..255, row-major 28x28).</param>
/// <param name="Drawing">The drawing as received (a PNG), or null.</param>
public sealed record Correction(long Id, DateTimeOffset CreatedAt, uint Label, string? Predicted, string ModelName, string ModelVersion,
    float[] Pixels, byte[]? Drawing);
