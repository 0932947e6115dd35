using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits;

/// <summary>Rebuilds the engine network of a CNN from its ONNX graph: the layers from the metadata, the weights from the initializers.</summary>
internal static class CnnNetwork
{
    /// <summary>The network of <paramref name="onnxModel"/> (evaluation mode), its weights as trained.</summary>
    /// <exception cref="InvalidDataException">The graph lacks this library's metadata or weights that fit its layers.</exception>
    public static Sequential Rebuild(CnnModelInfo info, byte[] onnxModel)
    {
        var spec = NetworkSpec.Parse(info.Layers, info.InputShape[0], info.InputShape[1], info.InputShape[2]);
        var network = spec.Build(new Rng(0));
        network.LoadStateDict(StateDictionary(network, onnxModel));
        network.Eval();
        return network;
    }

    /// <summary>The network's parameters and batch-norm statistics by state-dictionary name, read from the graph.</summary>
    public static Dictionary<string, Tensor> StateDictionary(Sequential network, byte[] onnxModel)
    {
        var stored = OnnxInitializers.Read(onnxModel);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, expected) in network.StateDict())
        {
            // Batch norm's step counter matters only to training; the graph does not carry it.
            if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && !stored.ContainsKey(name))
            {
                state[name] = expected.Clone();
                continue;
            }
            if (!stored.TryGetValue(name, out var tensor))
                throw new InvalidDataException($"The ONNX graph has no initializer '{name}' for its layers ({string.Join(", ", network.StateDict().Select(e => e.Key))}); it was not exported from this network.");
            if (tensor.Length != expected.Length)
                throw new InvalidDataException($"The ONNX initializer '{name}' holds {tensor.Length} values; the layer needs {expected.Length}.");
            state[name] = tensor.Reshape(expected.Shape);
        }
        return state;
    }
}
