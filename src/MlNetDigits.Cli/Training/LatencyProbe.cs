using System.Diagnostics;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Prediction;

namespace MlNetDigits.Cli.Training;

/// <summary>
/// Measures single-image prediction latency the way an application sees it: one image at a time through a typed
/// <see cref="PredictionEngine{TSrc, TDst}"/> (float[784] in, probabilities out), after a warm-up.
/// </summary>
internal static class LatencyProbe
{
    private const int WarmUp = 20;

    /// <summary>The median microseconds of one prediction over <paramref name="images"/> (each predicted once after the warm-up).</summary>
    public static double MedianMicroseconds(DigitsContext context, ITransformer model, DataViewSchema inputSchema, IReadOnlyList<float[]> images)
    {
        if (images.Count == 0)
            return double.NaN;
        var engine = context.Model.CreatePredictionEngine<ImageInput, ScoreOutput>(model,
            new PredictionEngineOptions { InputSchema = inputSchema, SupplyMissingInputColumns = true });
        var input = new ImageInput();
        var output = new ScoreOutput();
        for (int i = 0; i < WarmUp; i++)
        {
            input.Image = images[i % images.Count];
            engine.Predict(input, ref output);
        }
        var times = new double[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            input.Image = images[i];
            long start = Stopwatch.GetTimestamp();
            engine.Predict(input, ref output);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
    }

    /// <summary>The engine's input: the image column.</summary>
    internal sealed class ImageInput
    {
        public float[] Image { get; set; } = [];
    }

    /// <summary>The engine's output: the class probabilities.</summary>
    internal sealed class ScoreOutput
    {
        public float[] Score { get; set; } = [];
    }
}
