using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;

namespace MlNetDigits;

/// <summary>The out-of-distribution head of a trained network and the numbers that describe it.</summary>
internal sealed record OodFit(OodScoreHead Head, OodCalibration Calibration);

/// <summary>
/// Fits a trained network's out-of-distribution score (see <see cref="OodCalibration"/>): the class means and covariance
/// of its penultimate features on the training images, then each detector's tail units and the threshold on the
/// validation images. Used at the end of training and by <see cref="ImageClassificationTransformer.WithOodScore"/>.
/// </summary>
internal static class OodFitting
{
    /// <summary>Raw images (N, C, H, W): image i at <see cref="Rows"/>[i] of <see cref="Pixels"/>, or at i without rows.</summary>
    public sealed record Images(float[] Pixels, int[]? Rows, int Count)
    {
        /// <summary>Images start..start+n-1, normalised x' = x * scale[c] + shift[c], into <paramref name="x"/> (n, C, H, W).</summary>
        public void Normalise(int start, int n, Span<float> x, int channels, int plane, float[] scale, float[] shift)
        {
            int size = channels * plane;
            for (int i = 0; i < n; i++)
            {
                int image = Rows is null ? start + i : Rows[start + i];
                Normalization.Apply(Pixels.AsSpan(image * size, size), x.Slice(i * size, size), channels, plane, scale, shift);
            }
        }
    }

    /// <summary>
    /// Fits the head on <paramref name="training"/> (classes <paramref name="trainingLabels"/>) and
    /// <paramref name="validation"/>, so that at most <paramref name="rate"/> of the validation images score above 0. The
    /// network runs in evaluation mode; its mode is left as it was.
    /// </summary>
    public static OodFit Fit(Sequential network, (int C, int H, int W) shape, float[] scale, float[] shift, Images training, int[] trainingLabels,
        Images validation, int classes, double rate)
    {
        int featureCount = PenultimateFeatures.Count(network);
        var (trainingFeatures, _) = Outputs(network, shape, scale, shift, training, featureCount, classes);
        var mahalanobis = ClassMahalanobis.Fit(trainingFeatures, trainingLabels, classes);

        int n = validation.Count;
        var (features, logits) = Outputs(network, shape, scale, shift, validation, featureCount, classes);
        var distances = new float[n];
        mahalanobis.Distance(features, distances);
        var energies = new float[n];
        for (int i = 0; i < n; i++)
            energies[i] = (float)OodScoreHead.Energy(logits.AsSpan(i * classes, classes));
        var (energyMedian, energyTail) = MedianAndTail(energies, rate / 2);
        var (distanceMedian, distanceTail) = MedianAndTail(distances, rate / 2);
        var (energyScale, energyShift) = OodScoreHead.TailUnits(energyMedian, energyTail);
        var (distanceScale, distanceShift) = OodScoreHead.TailUnits(distanceMedian, distanceTail);

        // The threshold on the union, computed as the graph will (in float, through a head with τ = 0).
        var unthresholded = new OodScoreHead(mahalanobis, energyScale, energyShift, distanceScale, distanceShift, 0);
        var union = new float[n];
        unthresholded.Score(features, logits, union);
        var (threshold, flagged) = OodCalibration.ChooseThreshold(union, rate);
        var head = new OodScoreHead(mahalanobis, energyScale, energyShift, distanceScale, distanceShift, threshold);
        return new OodFit(head, new OodCalibration
        {
            Method = OodCalibration.EnergyOrMahalanobisMethod,
            Ridge = ClassMahalanobis.DefaultRidge,
            FeatureCount = featureCount,
            TrainingCount = training.Count,
            EnergyMedian = energyMedian,
            EnergyTail = energyTail,
            DistanceMedian = distanceMedian,
            DistanceTail = distanceTail,
            Threshold = threshold,
            TargetRate = rate,
            ValidationFlaggedShare = flagged,
            ValidationCount = n,
        });
    }

    /// <summary>
    /// The median and the (1 − <paramref name="share"/>) quantile: halfway between the values ⌊share · N⌋ + 1 and
    /// ⌊share · N⌋ from the top (the largest when none is above), so no value sits exactly on it.
    /// </summary>
    private static (double Median, double Tail) MedianAndTail(float[] values, double share)
    {
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : ((double)sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        int above = (int)Math.Floor(share * n + 1e-9);
        int k = Math.Max(1, n - above); // the k-th smallest is the last one at or below the tail
        return (median, k == n ? sorted[n - 1] : ((double)sorted[k - 1] + sorted[k]) / 2);
    }

    /// <summary>The penultimate features (N, F) and logits (N, K) of raw images, normalised x' = x * scale[c] + shift[c], in batches.</summary>
    private static (float[] Features, float[] Logits) Outputs(Sequential network, (int C, int H, int W) shape, float[] scale, float[] shift, Images images,
        int featureCount, int classes)
    {
        int size = shape.C * shape.H * shape.W, plane = shape.H * shape.W;
        int batch = Math.Min(images.Count, ImageClassificationTrainer.Defaults.EvaluationBatchSize);
        var features = new float[checked(images.Count * featureCount)];
        var logits = new float[checked(images.Count * classes)];
        bool training = network.IsTraining;
        network.Eval();
        var input = new Tensor(batch, shape.C, shape.H, shape.W); // x: (batch, C, H, W)
        for (int start = 0; start < images.Count; start += batch)
        {
            int n = Math.Min(batch, images.Count - start);
            var x = n == batch ? input : new Tensor(n, shape.C, shape.H, shape.W);
            images.Normalise(start, n, x.Data, shape.C, plane, scale, shift);
            var output = PenultimateFeatures.Forward(network, x, features.AsSpan(start * featureCount, n * featureCount));
            output.Data.AsSpan(0, n * classes).CopyTo(logits.AsSpan(start * classes));
        }
        network.Train(training);
        return (features, logits);
    }
}
