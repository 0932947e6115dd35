namespace MlNetDigits;

/// <summary>
/// One epoch of training: the mean training loss and accuracy over its batches (in training mode, with augmentation and
/// dropout), the loss and accuracy on the validation images (evaluation mode; null without validation data), the
/// learning rate at its end and its duration; with TestOnTrainSet also the training images' loss and accuracy in
/// evaluation mode.
/// </summary>
public sealed record ImageClassificationEpoch(
    int Epoch,
    double TrainingLoss,
    double TrainingAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double LearningRate,
    double Seconds,
    double? TrainEvalLoss = null,
    double? TrainEvalAccuracy = null);
