using MlNetDigits.Engine.Layers;

namespace MlNetDigits.Engine.Ood;

/// <summary>
/// The penultimate features of a network: the input of its last Dense layer (what ONNX export calls "Features"), taken
/// during an ordinary forward pass through the layers in order (nested Sequentials opened up).
/// </summary>
public static class PenultimateFeatures
{
    /// <summary>F: the number of inputs of the network's last Dense layer; 0 when it has none.</summary>
    public static int Count(Sequential network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Leaves(network).OfType<Dense>().LastOrDefault()?.InFeatures ?? 0;
    }

    /// <summary>
    /// Runs <paramref name="network"/> on <paramref name="input"/> (N, ...) and returns its output (the last layer's
    /// buffer, as <see cref="Sequential.Forward"/> would), copying the last Dense layer's input into
    /// <paramref name="features"/> (N, F) on the way.
    /// </summary>
    /// <exception cref="ArgumentException">The network has no Dense layer, or <paramref name="features"/> is not N × F long.</exception>
    public static Tensor Forward(Sequential network, Tensor input, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(input);
        var layers = Leaves(network).ToList();
        int last = layers.FindLastIndex(l => l is Dense);
        if (last < 0)
            throw new ArgumentException($"The network has no Dense layer whose input could serve as features: {network}.", nameof(network));
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            if (i == last)
            {
                if (features.Length != x.Length)
                    throw new ArgumentException($"The last Dense layer reads {x.ShapeText}, {x.Length} values; the features buffer holds {features.Length}.", nameof(features));
                x.Data.AsSpan(0, x.Length).CopyTo(features);
            }
            x = layers[i].Forward(x);
        }
        return x;
    }

    private static IEnumerable<Layer> Leaves(Sequential network) =>
        network.Layers.SelectMany(l => l is Sequential inner ? Leaves(inner) : [l]);
}
