using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;

namespace MlNetDigits;

/// <summary>The out-of-distribution statistics of a trained network and the threshold chosen for them.</summary>
internal sealed record OodFit(RelativeMahalanobis Statistics, OodCalibration Calibration);

/// <summary>
/// Fits a trained network's out-of-distribution score (see <see cref="OodCalibration"/>): the relative Mahalanobis
/// statistics of its penultimate features on the training images, then the threshold on the validation images. Used
/// at the end of training and by <see cref="ImageClassificationTransformer.WithOodScore"/>.
/// </summary>
internal static class OodFitting
{
    /// <summary>Raw images (N, C, H, W): image i at <see cref="Rows"/>[i] of <see cref="Pixels"/>, or at i without rows.</summary>
    public sealed record Images(float[] Pixels, int[]? Rows, int Count);

    /// <summary>
    /// Fits the statistics on <paramref name="training"/> with classes <paramref name="trainingLabels"/> and chooses the
    /// threshold that flags at most <paramref name="rate"/> of <paramref name="validation"/>. The network runs in
    /// evaluation mode; its mode is left as it was.
    /// </summary>
    public static OodFit Fit(Sequential network, (int C, int H, int W) shape, float[] scale, float[] shift, Images training, int[] trainingLabels,
        Images validation, int classes, double rate)
    {
        int featureCount = PenultimateFeatures.Count(network);
        var statistics = RelativeMahalanobis.Fit(Features(network, shape, scale, shift, training, featureCount), trainingLabels, classes);
        var scores = new float[validation.Count];
        statistics.Score(Features(network, shape, scale, shift, validation, featureCount), scores);
        var (threshold, flagged) = OodCalibration.ChooseThreshold(scores, rate);
        return new OodFit(statistics, new OodCalibration
        {
            Method = OodCalibration.RelativeMahalanobisMethod,
            Ridge = RelativeMahalanobis.DefaultRidge,
            FeatureCount = featureCount,
            TrainingCount = training.Count,
            Threshold = threshold,
            TargetRate = rate,
            ValidationFlaggedShare = flagged,
            ValidationCount = validation.Count,
        });
    }

    /// <summary>The penultimate features (N, F) of raw images, normalised x' = x * scale[c] + shift[c], in batches.</summary>
    private static float[] Features(Sequential network, (int C, int H, int W) shape, float[] scale, float[] shift, Images images, int featureCount)
    {
        int size = shape.C * shape.H * shape.W, plane = shape.H * shape.W;
        int batch = Math.Min(images.Count, ImageClassificationTrainer.Defaults.EvaluationBatchSize);
        var features = new float[checked(images.Count * featureCount)];
        bool training = network.IsTraining;
        network.Eval();
        var input = new Tensor(batch, shape.C, shape.H, shape.W); // x: (batch, C, H, W)
        for (int start = 0; start < images.Count; start += batch)
        {
            int n = Math.Min(batch, images.Count - start);
            var x = n == batch ? input : new Tensor(n, shape.C, shape.H, shape.W);
            for (int i = 0; i < n; i++)
            {
                int image = images.Rows is null ? start + i : images.Rows[start + i];
                Normalization.Apply(images.Pixels.AsSpan(image * size, size), x.Data.AsSpan(i * size, size), shape.C, plane, scale, shift);
            }
            PenultimateFeatures.Forward(network, x, features.AsSpan(start * featureCount, n * featureCount));
        }
        network.Train(training);
        return features;
    }
}
