using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits.Engine.Tests.Helpers;

/// <summary>
/// Exports a network, runs the model with ONNX Runtime and compares every output with the engine: Logits with the
/// evaluation-mode Forward of the normalised input, Score with softmax(Logits / T) in double, PredictedIndex with the
/// first maximum of the engine's logits, PredictedOneHot with its one-hot row, and (when exported) OodScore with
/// max(a_E E + b_E, a_D D + b_D) − τ of the engine's logits and features, in double. The engine runs on the kernels the caller
/// passes: each test class owns its own, since one CpuKernels instance must not run two test classes' layers at once.
/// </summary>
internal static class OnnxParity
{
    /// <summary>Absolute and relative tolerance between ONNX Runtime and the engine.</summary>
    public const double Tolerance = 1e-5;

    // raw: (N, C, H, W) pixels before the graph's normalisation
    public static IReadOnlyDictionary<string, OnnxRuntimeRunner.Output> AssertMatchesEngine(Sequential network, OnnxExportOptions options, Tensor raw, IKernels kernels)
    {
        var model = OnnxExporter.Export(network, options);
        var onnx = OnnxRuntimeRunner.Run(model, options.InputName, raw);
        var logits = EngineLogits(network, Normalize(raw, options), kernels); // (N, K)
        int n = logits.Shape[0], k = logits.Shape[1];

        TestData.AssertClose(logits, onnx[OnnxExporter.OutputNames.Logits].AsTensor(), Tolerance, Tolerance, "Logits");
        TestData.AssertClose(Softmax(logits, options.Temperature), onnx[OnnxExporter.OutputNames.Score].AsTensor(), Tolerance, Tolerance, "Score");
        var index = onnx[OnnxExporter.OutputNames.PredictedIndex];
        Assert.Equal([n], index.Shape);
        Assert.Equal(ArgMax(logits), index.Int64s);
        var oneHot = onnx[OnnxExporter.OutputNames.PredictedOneHot];
        Assert.Equal([n, k], oneHot.Shape);
        Assert.Equal(OneHot(ArgMax(logits), k), oneHot.Floats);
        if (options.OodHead is { } head)
        {
            var ood = onnx[OnnxExporter.OutputNames.OodScore];
            Assert.Equal([n], ood.Shape);
            var features = new float[n * head.Mahalanobis.FeatureCount];
            PenultimateFeatures.Forward(network, Normalize(raw, options), features);
            TestData.AssertClose(OodScores(head, features, logits), ood.AsTensor(), 1e-4, 1e-4, "OodScore");
        }
        else
        {
            Assert.False(onnx.ContainsKey(OnnxExporter.OutputNames.OodScore), "OodScore was exported without an OodHead.");
        }
        return onnx;
    }

    /// <summary>x * scale[c] + shift[c] per channel, in float as the graph's Mul and Add compute it.</summary>
    public static Tensor Normalize(Tensor raw, OnnxExportOptions options)
    {
        var x = raw.Clone();
        int c = raw.Shape[1], plane = raw.Shape[2] * raw.Shape[3];
        for (int i = 0; i < x.Length; i++)
        {
            int channel = i / plane % c;
            float scale = options.Scale[options.Scale.Count == 1 ? 0 : channel], shift = options.Shift[options.Shift.Count == 1 ? 0 : channel];
            x.Data[i] = x.Data[i] * scale + shift;
        }
        return x;
    }

    /// <summary>The network's evaluation-mode output on <paramref name="kernels"/> (a copy: the layer reuses its buffer).</summary>
    public static Tensor EngineLogits(Sequential network, Tensor x, IKernels kernels)
    {
        network.Kernels = kernels;
        network.Eval();
        return network.Forward(x).Clone();
    }

    /// <summary>
    /// max(a_E E + b_E, a_D D + b_D) − τ per row, in double: E = −log Σ exp(logits), D = min_c ‖W f − W μ_c‖² written out
    /// with the head's whitening W and whitened means.
    /// </summary>
    public static Tensor OodScores(OodScoreHead head, float[] features, Tensor logits)
    {
        var m = head.Mahalanobis;
        int f = m.FeatureCount, k = logits.Shape[1], n = logits.Shape[0];
        var result = new Tensor(n);
        for (int i = 0; i < n; i++)
        {
            var g = new double[f];
            for (int a = 0; a < f; a++)
                for (int b = 0; b < f; b++)
                    g[a] += (double)m.Whitening[a * f + b] * features[i * f + b];
            double distance = Enumerable.Range(0, m.ClassCount).Min(c => Enumerable.Range(0, f).Sum(a => Math.Pow(g[a] - m.WhitenedMeans[c * f + a], 2)));
            double energy = -Math.Log(Enumerable.Range(0, k).Sum(j => Math.Exp(logits.Data[i * k + j])));
            result.Data[i] = (float)(Math.Max(head.EnergyScale * energy + head.EnergyShift, head.DistanceScale * distance + head.DistanceShift) - head.Threshold);
        }
        return result;
    }

    /// <summary>softmax(logits / T) per row, computed in double.</summary>
    public static Tensor Softmax(Tensor logits, double temperature)
    {
        int n = logits.Shape[0], k = logits.Shape[1];
        var p = new Tensor(n, k);
        for (int r = 0; r < n; r++)
        {
            var row = logits.Data.AsSpan(r * k, k);
            double max = double.NegativeInfinity, sum = 0;
            foreach (var v in row)
                max = Math.Max(max, v);
            for (int j = 0; j < k; j++)
                sum += Math.Exp((row[j] - max) / temperature);
            for (int j = 0; j < k; j++)
                p.Data[r * k + j] = (float)(Math.Exp((row[j] - max) / temperature) / sum);
        }
        return p;
    }

    /// <summary>The index of each row's first largest value.</summary>
    public static long[] ArgMax(Tensor logits)
    {
        int n = logits.Shape[0], k = logits.Shape[1];
        var index = new long[n];
        for (int r = 0; r < n; r++)
            for (int j = 1; j < k; j++)
                if (logits.Data[r * k + j] > logits.Data[r * k + index[r]])
                    index[r] = j;
        return index;
    }

    private static float[] OneHot(long[] index, int k)
    {
        var rows = new float[index.Length * k];
        for (int r = 0; r < index.Length; r++)
            rows[r * k + index[r]] = 1f;
        return rows;
    }
}
