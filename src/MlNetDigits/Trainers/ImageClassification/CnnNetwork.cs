using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits;

/// <summary>Rebuilds the engine network of a CNN from its ONNX graph: the layers from the metadata, the weights from the initializers.</summary>
internal static class CnnNetwork
{
    /// <summary>The network of <paramref name="onnxModel"/> (evaluation mode), its weights as trained.</summary>
    /// <exception cref="InvalidDataException">The graph lacks this library's metadata or weights that fit its layers.</exception>
    public static Sequential Rebuild(CnnModelInfo info, byte[] onnxModel) => Rebuild(info, OnnxInitializers.Read(onnxModel), "");

    /// <summary>
    /// Each member network of an ensemble's graph (or the one network of a single model), in graph order, with its
    /// out-of-distribution head (null for a network without one).
    /// </summary>
    public static List<(Sequential Network, CnnModelInfo Info, OodScoreHead? Ood)> RebuildAll(CnnModelInfo info, byte[] onnxModel)
    {
        var stored = OnnxInitializers.Read(onnxModel);
        if (!info.IsEnsemble)
            return [(Rebuild(info, stored, ""), info, OodHead(info, stored, ""))];
        return [.. info.Members!.Select((member, i) => (Rebuild(member, stored, $"member{i}/"), member, OodHead(member, stored, $"member{i}/")))];
    }

    /// <summary>A network's out-of-distribution head from the graph, checked against what its info says about it.</summary>
    private static OodScoreHead? OodHead(CnnModelInfo info, Dictionary<string, Tensor> stored, string prefix)
    {
        var head = OodScoreHead.FromInitializers(stored, prefix);
        if ((head is null) != (info.Ood is null))
            throw new InvalidDataException(info.Ood is null
                ? "The ONNX graph holds an out-of-distribution head that its metadata does not describe; the model file is inconsistent."
                : "The ONNX graph's metadata describes an out-of-distribution score whose head the graph lacks; the model file is inconsistent.");
        if (head is not null && (head.Mahalanobis.FeatureCount != info.Ood!.FeatureCount || head.Mahalanobis.ClassCount != info.ClassNames.Count))
            throw new InvalidDataException($"The graph's out-of-distribution head is for {head.Mahalanobis.FeatureCount} features and {head.Mahalanobis.ClassCount} classes; its metadata says {info.Ood!.FeatureCount} and {info.ClassNames.Count}.");
        return head;
    }

    private static Sequential Rebuild(CnnModelInfo info, Dictionary<string, Tensor> weights, string prefix)
    {
        if (info.IsEnsemble)
            throw new InvalidOperationException($"The model is an ensemble of {info.Members!.Count} networks, not one; rebuild its members.");
        var spec = NetworkSpec.Parse(info.Layers, info.InputShape[0], info.InputShape[1], info.InputShape[2]);
        // The layers come from metadata: check that the graph holds weights for all of them before allocating any, so a
        // forged description ("dense 1000000") costs nothing.
        long stored = weights.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(e => (long)e.Value.Length);
        if (spec.ParameterCount() > stored)
            throw new InvalidDataException($"The graph's metadata describes layers with {spec.ParameterCount():N0} weights, but the graph holds {stored:N0}; the model file is inconsistent.");
        var network = spec.Build(new Rng(0));
        network.LoadStateDict(StateDictionary(network, weights, prefix));
        network.Eval();
        return network;
    }

    /// <summary>The network's parameters and batch-norm statistics by state-dictionary name, read from the graph.</summary>
    public static Dictionary<string, Tensor> StateDictionary(Sequential network, byte[] onnxModel) =>
        StateDictionary(network, OnnxInitializers.Read(onnxModel), "");

    private static Dictionary<string, Tensor> StateDictionary(Sequential network, Dictionary<string, Tensor> stored, string prefix)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, expected) in network.StateDict())
        {
            // Batch norm's step counter matters only to training; the graph does not carry it.
            if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && !stored.ContainsKey(prefix + name))
            {
                state[name] = expected.Clone();
                continue;
            }
            if (!stored.TryGetValue(prefix + name, out var tensor))
                throw new InvalidDataException($"The ONNX graph has no initializer '{name}' for its layers ({string.Join(", ", network.StateDict().Select(e => e.Key))}); it was not exported from this network.");
            if (tensor.Length != expected.Length)
                throw new InvalidDataException($"The ONNX initializer '{name}' holds {tensor.Length} values; the layer needs {expected.Length}.");
            state[name] = tensor.Reshape(expected.Shape);
        }
        return state;
    }
}
