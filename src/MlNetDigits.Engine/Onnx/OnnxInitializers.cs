using Google.Protobuf;
using Onnx;

namespace MlNetDigits.Engine.Onnx;

/// <summary>
/// Reads a model's float initializers back as engine tensors, by name: for a graph written by <see cref="OnnxExporter"/>
/// these are the network's state dictionary ("0.weight", "3.running_mean", ...) plus the exporter's own constants
/// ("input.scale", ...), so a trained network can be rebuilt from its ONNX file (to fine-tune it, or to run it on the engine).
/// </summary>
public static class OnnxInitializers
{
    /// <summary>Every 32-bit float initializer of the model, shaped as stored.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model, or an initializer's data does not match its shape.</exception>
    public static Dictionary<string, Tensor> Read(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        OnnxModelInfo.Read(model); // the same checks and messages as for any model
        var graph = ModelProto.Parser.ParseFrom(model).Graph;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            if (initializer.DataType != (int)TensorProto.Types.DataType.Float)
                continue;
            var shape = initializer.Dims.Select(d => d is >= 0 and <= int.MaxValue ? (int)d
                : throw new InvalidDataException($"Initializer '{initializer.Name}' has the dimension {d}.")).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            float[] values;
            if (initializer.RawData.Length > 0)
            {
                if (initializer.RawData.Length != count * sizeof(float))
                    throw new InvalidDataException($"Initializer '{initializer.Name}' of shape ({string.Join(", ", shape)}) holds {initializer.RawData.Length} bytes; it needs {count * sizeof(float)}.");
                values = new float[count];
                initializer.RawData.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                if (!BitConverter.IsLittleEndian)
                    throw new PlatformNotSupportedException("Reading ONNX raw data needs a little-endian machine.");
            }
            else
            {
                if (initializer.FloatData.Count != count)
                    throw new InvalidDataException($"Initializer '{initializer.Name}' of shape ({string.Join(", ", shape)}) holds {initializer.FloatData.Count} values; it needs {count}.");
                values = [.. initializer.FloatData];
            }
            tensors[initializer.Name] = shape.Length == 0 ? new Tensor(values, 1) : new Tensor(values, shape);
        }
        return tensors;
    }
}
