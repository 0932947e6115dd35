namespace MlNetDigits.Trainers.ImageClassification;

/// <summary>
/// One epoch of training: the mean training loss and accuracy over its batches (in training mode, with augmentation and
/// dropout), the loss and accuracy on the validation images (evaluation mode; null without validation data), the
/// learning rate at its end and its duration.
/// </summary>
public sealed record ImageClassificationEpoch(
    int Epoch,
    double TrainingLoss,
    double TrainingAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double LearningRate,
    double Seconds);
