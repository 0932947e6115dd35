using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetDigits.Engine.Tests.Helpers;

/// <summary>Runs an exported ONNX model with ONNX Runtime on the CPU and returns every output by name.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>One output: its shape and its values (float32 outputs in Floats, int64 ones in Int64s).</summary>
    public sealed record Output(int[] Shape, float[]? Floats, long[]? Int64s)
    {
        /// <summary>The float32 values as an engine tensor.</summary>
        public Tensor AsTensor() => new(Floats ?? throw new InvalidOperationException("This output is not float32."), Shape);
    }

    // x: (N, C, H, W) raw pixels
    public static IReadOnlyDictionary<string, Output> Run(byte[] model, string inputName, Tensor x)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var input = new DenseTensor<float>((float[])x.Data.Clone(), x.Shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
        var outputs = new Dictionary<string, Output>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            outputs[result.Name] = result.Value switch
            {
                DenseTensor<float> t => new Output(t.Dimensions.ToArray(), t.Buffer.ToArray(), null),
                DenseTensor<long> t => new Output(t.Dimensions.ToArray(), null, t.Buffer.ToArray()),
                var other => throw new InvalidOperationException($"Output '{result.Name}' has an unexpected type {other?.GetType().Name}."),
            };
        }
        return outputs;
    }
}
