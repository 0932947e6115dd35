using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits.Cli.Training;

/// <summary>
/// Measures single-image prediction latency the way an application sees it: one image at a time through ML.NET's typed
/// <see cref="PredictionEngine{TSrc, TDst}"/> (pixels in, probabilities out), after a warm-up.
/// </summary>
internal static class LatencyProbe
{
    private const int WarmUp = 20;

    /// <summary>The median microseconds of one prediction over <paramref name="images"/> (each predicted once after the warm-up).</summary>
    /// <param name="ml">The context to make the engine with.</param>
    /// <param name="model">The model; it reads "Image" and may read "Label" (the standard pipelines start with MapValueToKey("Label")).</param>
    /// <param name="imageType">The image column's type, e.g. Vector&lt;Single, 784&gt;.</param>
    /// <param name="images">The images to predict, one at a time.</param>
    public static double MedianMicroseconds(MLContext ml, ITransformer model, VectorDataViewType imageType, IReadOnlyList<float[]> images)
    {
        if (images.Count == 0)
            return double.NaN;
        var input = SchemaDefinition.Create(typeof(ImageInput));
        input[nameof(ImageInput.Image)].ColumnType = imageType;
        // Not disposed: ML.NET's PredictionEngine.Dispose disposes the model's transformers with it (an OnnxTransformer's
        // ONNX Runtime session included), and the caller keeps using the model. The engine holds no native resource of its own.
        var engine = ml.Model.CreatePredictionEngine<ImageInput, ScoreOutput>(model, inputSchemaDefinition: input);
        var example = new ImageInput();
        var output = new ScoreOutput();
        for (int i = 0; i < WarmUp; i++)
        {
            example.Image = images[i % images.Count];
            engine.Predict(example, ref output);
        }
        var times = new double[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            example.Image = images[i];
            long start = Stopwatch.GetTimestamp();
            engine.Predict(example, ref output);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
    }

    /// <summary>The engine's input: the image and a label (read by the model's MapValueToKey stage, unused for prediction).</summary>
    internal sealed class ImageInput
    {
        public uint Label { get; set; }

        public float[] Image { get; set; } = [];
    }

    /// <summary>The engine's output: the class probabilities.</summary>
    internal sealed class ScoreOutput
    {
        public float[] Score { get; set; } = [];
    }
}
