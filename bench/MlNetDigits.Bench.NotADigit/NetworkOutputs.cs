using MlNetDigits;
using MlNetDigits.Engine;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;

/// <summary>
/// The logits and penultimate features (the input of the last Dense layer) of a trained CNN on raw images, computed with
/// the engine on the network rebuilt from the model's weights: what every score of the comparison starts from.
/// </summary>
internal sealed class NetworkOutputs
{
    private readonly List<Layer> _layers;
    private readonly int _lastDense;
    private readonly float _scale, _shift;

    public NetworkOutputs(ImageClassificationTransformer model, int threads)
    {
        var info = model.Info;
        var network = NetworkSpec.Parse(info.Layers, info.InputShape[0], info.InputShape[1], info.InputShape[2]).Build(new Rng(0));
        network.LoadStateDict(model.GetWeights());
        network.Kernels = Kernels.Create(Kernels.Default.Kind, threads);
        network.Eval();
        _layers = [.. Leaves(network)];
        _lastDense = _layers.FindLastIndex(l => l is Dense);
        Classes = ((Dense)_layers[_lastDense]).OutFeatures;
        FeatureCount = ((Dense)_layers[_lastDense]).InFeatures;
        // x' = (x / PixelScale - mean) / std, one channel.
        _scale = 1f / (info.PixelScale * info.StandardDeviation[0]);
        _shift = -info.Mean[0] / info.StandardDeviation[0];
    }

    public int Classes { get; }

    public int FeatureCount { get; }

    /// <summary>Logits (N, K) and features (N, F) of n raw 28x28 images (N, 784), 0..255.</summary>
    public (float[] Logits, float[] Features) Run(float[] images)
    {
        const int batch = 500;
        int n = images.Length / 784;
        var logits = new float[n * Classes];
        var features = new float[n * FeatureCount];
        for (int start = 0; start < n; start += batch)
        {
            int rows = Math.Min(batch, n - start);
            var x = new Tensor(rows, 1, 28, 28); // x: (rows, 1, 28, 28)
            for (int i = 0; i < rows * 784; i++)
                x.Data[i] = images[start * 784 + i] * _scale + _shift;
            for (int l = 0; l < _layers.Count; l++)
            {
                if (l == _lastDense)
                    x.Data.AsSpan(0, rows * FeatureCount).CopyTo(features.AsSpan(start * FeatureCount));
                x = _layers[l].Forward(x);
            }
            x.Data.AsSpan(0, rows * Classes).CopyTo(logits.AsSpan(start * Classes));
        }
        return (logits, features);
    }

    private static IEnumerable<Layer> Leaves(Sequential network) =>
        network.Layers.SelectMany(l => l is Sequential inner ? Leaves(inner) : [l]);
}
