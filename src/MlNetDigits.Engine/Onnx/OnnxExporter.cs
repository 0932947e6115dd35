using System.Globalization;
using Google.Protobuf;
using MlNetDigits.Engine.Backends;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MlNetDigits.Engine.Onnx;

/// <summary>
/// Writes a network's inference (evaluation-mode) computation as an ONNX model (IR version 8, opset 13): the input
/// normalisation, one node per layer, and the outputs Logits, Score = softmax(Logits / T), PredictedIndex (first
/// maximum) and PredictedOneHot, optionally Features and OodScore; every output has the symbolic batch axis "N".
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX IR version written.</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default (ai.onnx) operator set the graph uses.</summary>
    public const long OpsetVersion = 13;

    /// <summary>The model's producer_name.</summary>
    public const string ProducerName = "MlNetDigits";

    /// <summary>The names of the graph's outputs.</summary>
    public static class OutputNames
    {
        /// <summary>float32 (N, K): the network's output.</summary>
        public const string Logits = "Logits";

        /// <summary>float32 (N, K): softmax(Logits / T) over the classes.</summary>
        public const string Score = "Score";

        /// <summary>int64 (N): the index of each row's first largest logit.</summary>
        public const string PredictedIndex = "PredictedIndex";

        /// <summary>float32 (N, K): 1 at PredictedIndex, 0 elsewhere.</summary>
        public const string PredictedOneHot = "PredictedOneHot";

        /// <summary>float32 (N, F): the input of the last Dense layer (written only when asked for).</summary>
        public const string Features = "Features";

        /// <summary>
        /// float32 (N): the out-of-distribution score max(u_E, u_D) − τ (written only when
        /// <see cref="OnnxExportOptions.OodHead"/> is set); above 0: out of distribution.
        /// </summary>
        public const string OodScore = "OodScore";

        internal static readonly string[] All = [Logits, Score, PredictedIndex, PredictedOneHot, Features, OodScore];
    }

    private const string SupportedLayers = "Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d, BatchNorm1d, ReLU, Dropout, Flatten, Dense and nested Sequential";

    /// <summary>
    /// Serialises <paramref name="network"/> as an ONNX ModelProto; the network's current mode does not matter (batch
    /// normalisation uses the running statistics, dropout is left out), and nothing in the network changes. The same
    /// network and options give the same bytes.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid, or the network's output for the declared input is not (N, K).</exception>
    /// <exception cref="ShapeMismatchException">A layer cannot take what the declared (N, C, H, W) input becomes before it.</exception>
    /// <exception cref="NotSupportedException">The network holds a layer type ONNX export does not know.</exception>
    public static byte[] Export(Sequential network, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new OnnxExportOptions();
        Validate(options);

        var graph = new OnnxGraphBuilder(ProducerName);
        string x = graph.AddInput(options.InputName, DataType.Float, OnnxGraphBuilder.BatchAxis, options.Channels, options.Height, options.Width);
        x = Normalize(graph, x, options);
        int[] shape = [options.Channels, options.Height, options.Width]; // per sample: the batch axis is left out
        string? features = null;
        int featureCount = 0;
        foreach (var layer in Leaves(network))
        {
            if (layer is Dense)
                (features, featureCount) = (x, shape[0]);
            (x, shape) = ExportLayer(graph, layer, x, shape);
        }
        if (shape.Length != 1)
            throw new ArgumentException(
                $"The network turns an {ShapeText([options.Channels, options.Height, options.Width])} input into {ShapeText(shape)}; ONNX export needs logits (N, K). " +
                "End the network with Flatten and Dense, or check the options' Channels, Height and Width.", nameof(network));
        int classes = shape[0];

        graph.RenameValue(x, OutputNames.Logits);
        graph.AddOutput(OutputNames.Logits, DataType.Float, OnnxGraphBuilder.BatchAxis, classes);
        AddScore(graph, OutputNames.Logits, classes, options.Temperature);
        AddPrediction(graph, OutputNames.Logits, classes);
        if (options.OodHead is { } head)
        {
            CheckOodHead(head, features, featureCount, classes, "The network");
            AddOodScore(graph, OutputNames.Logits, features!, head, OutputNames.OodScore);
            graph.AddOutput(OutputNames.OodScore, DataType.Float, OnnxGraphBuilder.BatchAxis);
        }
        if (options.IncludeFeatures)
        {
            if (features is null)
                throw new ArgumentException($"IncludeFeatures asks for the input of the last Dense layer, but the network has no Dense layer: {network}.", nameof(options));
            graph.RenameValue(features, OutputNames.Features);
            graph.AddOutput(OutputNames.Features, DataType.Float, OnnxGraphBuilder.BatchAxis, featureCount);
        }

        return Serialize(graph, options);
    }

    /// <summary>
    /// One graph averaging several networks' class probabilities: each member normalises the shared input its own way
    /// (its options' Scale and Shift) and applies its own temperature; Score = mean over members of softmax(logits_i / T_i),
    /// Logits = ln(Score) (so softmax(Logits) = Score), and PredictedIndex / PredictedOneHot follow Score. Member i's
    /// initializers and nodes are named "member{i}/..." (its state dictionary names after the prefix). When every member's
    /// options set an OodHead, OodScore = mean over members of each member's OodScore (each already relative to its own
    /// threshold). The ensemble's own options give the input name and shape, the producer, the doc string and the
    /// metadata; its Temperature must be 1 and its OodHead null.
    /// </summary>
    public static byte[] ExportEnsemble(IReadOnlyList<(Sequential Network, OnnxExportOptions Options)> members, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(options);
        if (members.Count == 0)
            throw new ArgumentException("An ensemble needs at least one member network.", nameof(members));
        Validate(options);
        if (options.Temperature != 1.0)
            throw new ArgumentException("An ensemble's own Temperature must be 1: each member keeps its own (in its options).", nameof(options));
        if (options.OodHead is not null)
            throw new ArgumentException("An ensemble's own OodHead must be null: each member keeps its own (in its options), and OodScore averages theirs.", nameof(options));
        bool withOod = members.All(m => m.Options?.OodHead is not null);
        var graph = new OnnxGraphBuilder(ProducerName);
        string input = graph.AddInput(options.InputName, DataType.Float, OnnxGraphBuilder.BatchAxis, options.Channels, options.Height, options.Width);
        int classes = -1;
        var probabilities = new List<string>();
        var margins = new List<string>();
        for (int i = 0; i < members.Count; i++)
        {
            var (network, memberOptions) = members[i];
            ArgumentNullException.ThrowIfNull(network);
            Validate(memberOptions);
            if (memberOptions.Channels != options.Channels || memberOptions.Height != options.Height || memberOptions.Width != options.Width)
                throw new ArgumentException($"Member {i} reads {memberOptions.Channels}x{memberOptions.Height}x{memberOptions.Width} images; the ensemble's input is {options.Channels}x{options.Height}x{options.Width}.", nameof(members));
            graph.Scope = $"member{i}/";
            string x = Normalize(graph, input, memberOptions);
            int[] shape = [options.Channels, options.Height, options.Width];
            string? features = null;
            int featureCount = 0;
            foreach (var layer in Leaves(network))
            {
                if (layer is Dense)
                    (features, featureCount) = (x, shape[0]);
                (x, shape) = ExportLayer(graph, layer, x, shape);
            }
            if (shape.Length != 1)
                throw new ArgumentException($"Member {i} gives {ShapeText(shape)} per image, not logits (K).", nameof(members));
            if (classes >= 0 && shape[0] != classes)
                throw new ArgumentException($"Member {i} has {shape[0]} classes; member 0 has {classes}. Ensemble members must share their classes.", nameof(members));
            classes = shape[0];
            if (withOod)
            {
                CheckOodHead(memberOptions.OodHead!, features, featureCount, shape[0], $"Member {i}");
                margins.Add(AddOodScore(graph, x, features!, memberOptions.OodHead!, "OodScore.margin"));
            }
            if (memberOptions.Temperature != 1.0)
                x = graph.AddNode("Mul", "Score.Mul", [x, graph.AddInitializer("Score.inverse_temperature", [(float)(1.0 / memberOptions.Temperature)])], "Score.scaled_logits");
            probabilities.Add(graph.AddNode("Softmax", "Score.Softmax", [x], "Score", OnnxGraphBuilder.Int("axis", 1)));
        }
        graph.Scope = "";
        string sum = probabilities.Count == 1 ? probabilities[0] : graph.AddNode("Sum", "ensemble.Sum", probabilities, "ensemble.sum");
        graph.AddNode("Mul", "ensemble.Mean", [sum, graph.AddInitializer("ensemble.inverse_count", [1f / members.Count])], OutputNames.Score);
        graph.AddNode("Log", "ensemble.Log", [OutputNames.Score], OutputNames.Logits);
        graph.AddOutput(OutputNames.Logits, DataType.Float, OnnxGraphBuilder.BatchAxis, classes);
        graph.AddOutput(OutputNames.Score, DataType.Float, OnnxGraphBuilder.BatchAxis, classes);
        AddPrediction(graph, OutputNames.Score, classes);
        if (withOod)
        {
            string total = margins.Count == 1 ? margins[0] : graph.AddNode("Sum", "OodScore.Sum", margins, "OodScore.sum");
            graph.AddNode("Mul", "OodScore.Mean", [total, graph.AddInitializer("OodScore.inverse_count", [1f / members.Count])], OutputNames.OodScore);
            graph.AddOutput(OutputNames.OodScore, DataType.Float, OnnxGraphBuilder.BatchAxis);
        }
        return Serialize(graph, options);
    }

    private static byte[] Serialize(OnnxGraphBuilder graph, OnnxExportOptions options)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = options.ProducerVersion,
            Graph = graph.Graph,
        };
        if (options.DocString.Length > 0)
            model.DocString = options.DocString;
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in options.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model.ToByteArray();
    }

    // x' = x * scale[c] + shift[c], each node left out where it is the identity.
    private static string Normalize(OnnxGraphBuilder graph, string x, OnnxExportOptions options)
    {
        int c = options.Channels;
        float[] scale = PerChannel(options.Scale, c), shift = PerChannel(options.Shift, c);
        if (scale.Any(s => s != 1f))
            x = graph.AddNode("Mul", "input.Mul", [x, graph.AddInitializer("input.scale", scale, 1, c, 1, 1)], "input.scaled");
        if (shift.Any(s => s != 0f))
            x = graph.AddNode("Add", "input.Add", [x, graph.AddInitializer("input.shift", shift, 1, c, 1, 1)], "input.normalized");
        return x;

        static float[] PerChannel(IReadOnlyList<float> values, int channels)
            => values.Count == 1 ? Enumerable.Repeat(values[0], channels).ToArray() : [.. values];
    }

    // Writes one layer's nodes reading x (per-sample shape `shape`); returns the value it produces and that value's shape.
    private static (string Value, int[] Shape) ExportLayer(OnnxGraphBuilder graph, Layer layer, string x, int[] shape)
    {
        string p = layer.Prefix, output = p + "output";
        switch (layer)
        {
            case Conv2d conv:
            {
                RequireImage(layer, shape, conv.InChannels, conv.KernelSize, conv.Padding);
                var g = Geometry(shape, conv.KernelSize, conv.Stride, conv.Padding);
                var w = conv.Weight;
                List<string> inputs = [x, graph.AddInitializer(w.Name, w.Value.Data, conv.OutChannels, conv.InChannels, conv.KernelSize, conv.KernelSize)];
                if (conv.Bias is { } b)
                    inputs.Add(graph.AddInitializer(b.Name, b.Value.Data, conv.OutChannels));
                output = graph.AddNode("Conv", p + "Conv", inputs, output, Window(conv.KernelSize, conv.Stride, conv.Padding));
                return (output, [conv.OutChannels, g.OutHeight, g.OutWidth]);
            }
            case MaxPool2d pool:
            {
                // Padding never wins a maximum in the engine, as in ONNX; both use floor((H + 2p - k) / s) + 1 (ceil_mode 0).
                RequireImage(layer, shape, shape.Length == 3 ? shape[0] : -1, pool.KernelSize, pool.Padding);
                var g = Geometry(shape, pool.KernelSize, pool.Stride, pool.Padding);
                output = graph.AddNode("MaxPool", p + "MaxPool", [x], output, Window(pool.KernelSize, pool.Stride, pool.Padding));
                return (output, [shape[0], g.OutHeight, g.OutWidth]);
            }
            case AvgPool2d pool:
            {
                // The engine divides every window by k * k, padded zeros included: count_include_pad = 1.
                RequireImage(layer, shape, shape.Length == 3 ? shape[0] : -1, pool.KernelSize, pool.Padding);
                var g = Geometry(shape, pool.KernelSize, pool.Stride, pool.Padding);
                output = graph.AddNode("AveragePool", p + "AveragePool", [x], output,
                    [.. Window(pool.KernelSize, pool.Stride, pool.Padding), OnnxGraphBuilder.Int("count_include_pad", 1)]);
                return (output, [shape[0], g.OutHeight, g.OutWidth]);
            }
            case BatchNorm2d bn:
                if (shape.Length != 3 || shape[0] != bn.Features)
                    throw ShapeError(layer, $"(N, {bn.Features}, H, W)", shape);
                return (BatchNormalization(graph, bn, x, output), shape);
            case BatchNorm1d bn:
                if ((shape.Length != 1 && shape.Length != 2) || shape[0] != bn.Features)
                    throw ShapeError(layer, $"(N, {bn.Features}) or (N, {bn.Features}, L)", shape);
                return (BatchNormalization(graph, bn, x, output), shape);
            case ReLU:
                return (graph.AddNode("Relu", p + "Relu", [x], output), shape);
            case Dropout:
                return (x, shape); // the identity at inference
            case Flatten:
                return (graph.AddNode("Flatten", p + "Flatten", [x], output, OnnxGraphBuilder.Int("axis", 1)), [shape.Aggregate(1, (a, b) => checked(a * b))]);
            case Dense dense:
            {
                if (shape.Length != 1 || shape[0] != dense.InFeatures)
                    throw ShapeError(layer, $"(N, {dense.InFeatures})", shape);
                var w = dense.Weight; // (Out, In): Gemm computes x w^T + b with transB = 1
                List<string> inputs = [x, graph.AddInitializer(w.Name, w.Value.Data, dense.OutFeatures, dense.InFeatures)];
                if (dense.Bias is { } b)
                    inputs.Add(graph.AddInitializer(b.Name, b.Value.Data, dense.OutFeatures));
                output = graph.AddNode("Gemm", p + "Gemm", inputs, output, OnnxGraphBuilder.Int("transB", 1));
                return (output, [dense.OutFeatures]);
            }
            default:
                throw new NotSupportedException(
                    $"ONNX export does not support {Where(layer)}, a {layer.GetType().Name}; it knows {SupportedLayers}. " +
                    "Build the network from those layers, or teach OnnxExporter the new one.");
        }
    }

    // y = (x - running_mean) / sqrt(running_var + eps) * weight + bias, per channel (axis 1), as the engine evaluates.
    private static string BatchNormalization(OnnxGraphBuilder graph, BatchNorm bn, string x, string output)
    {
        string p = bn.Prefix;
        int c = bn.Features;
        string scale = graph.AddInitializer(bn.Weight.Name, bn.Weight.Value.Data, c);
        string bias = graph.AddInitializer(bn.Bias.Name, bn.Bias.Value.Data, c);
        string mean = graph.AddInitializer(p + "running_mean", bn.RunningMean.Data, c);
        string variance = graph.AddInitializer(p + "running_var", bn.RunningVar.Data, c);
        return graph.AddNode("BatchNormalization", p + "BatchNormalization", [x, scale, bias, mean, variance], output,
            OnnxGraphBuilder.Float("epsilon", (float)bn.Eps));
    }

    // Score = Softmax(Logits * (1 / T)) over the classes; the Mul is left out at T = 1.
    private static void AddScore(OnnxGraphBuilder graph, string logits, int classes, double temperature)
    {
        string x = logits;
        if (temperature != 1.0)
            x = graph.AddNode("Mul", "Score.Mul", [x, graph.AddInitializer("Score.inverse_temperature", [(float)(1.0 / temperature)])], "Score.scaled_logits");
        graph.AddNode("Softmax", "Score.Softmax", [x], OutputNames.Score, OnnxGraphBuilder.Int("axis", 1));
        graph.AddOutput(OutputNames.Score, DataType.Float, OnnxGraphBuilder.BatchAxis, classes);
    }

    // PredictedIndex = ArgMax(Logits) along the classes (first maximum); PredictedOneHot = its one-hot row of K floats.
    private static void AddPrediction(OnnxGraphBuilder graph, string logits, int classes)
    {
        graph.AddNode("ArgMax", "PredictedIndex.ArgMax", [logits], OutputNames.PredictedIndex,
            OnnxGraphBuilder.Int("axis", 1), OnnxGraphBuilder.Int("keepdims", 0), OnnxGraphBuilder.Int("select_last_index", 0));
        graph.AddOutput(OutputNames.PredictedIndex, DataType.Int64, OnnxGraphBuilder.BatchAxis);
        string depth = graph.AddInitializer("PredictedOneHot.depth", [(long)classes]);
        string values = graph.AddInitializer("PredictedOneHot.values", [0f, 1f], 2);
        graph.AddNode("OneHot", "PredictedOneHot.OneHot", [OutputNames.PredictedIndex, depth, values], OutputNames.PredictedOneHot,
            OnnxGraphBuilder.Int("axis", -1));
        graph.AddOutput(OutputNames.PredictedOneHot, DataType.Float, OnnxGraphBuilder.BatchAxis, classes);
    }

    // output = max(a_E · E + b_E, a_D · D + b_D) − τ: E = −ReduceLogSumExp(logits) (N), D = min_c ‖W f − W μ_c‖² of the
    // features f (N, F) by g = f Wᵀ (Gemm), (N, 1, F) − (K, F) broadcast, ReduceSumSquare and ReduceMin.
    private static string AddOodScore(OnnxGraphBuilder graph, string logits, string features, OodScoreHead head, string output)
    {
        var m = head.Mahalanobis;
        int f = m.FeatureCount, k = m.ClassCount;
        string logSumExp = graph.AddNode("ReduceLogSumExp", "OodScore.LogSumExp", [logits], "OodScore.log_sum_exp",
            OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 0));                                                        // (N) = −E
        string energyUnits = graph.AddNode("Add", "OodScore.EnergyUnits",
            [graph.AddNode("Mul", "OodScore.EnergyScale", [logSumExp, graph.AddInitializer(OodScoreHead.InitializerNames.NegativeEnergyScale, [-head.EnergyScale])], "OodScore.scaled_energy"),
             graph.AddInitializer(OodScoreHead.InitializerNames.EnergyShift, [head.EnergyShift])], "OodScore.energy_units");                                // (N)
        string whitening = graph.AddInitializer(OodScoreHead.InitializerNames.Whitening, m.Whitening, f, f);
        string whitened = graph.AddNode("Gemm", "OodScore.Whiten", [features, whitening], "OodScore.whitened", OnnxGraphBuilder.Int("transB", 1)); // (N, F)
        string column = graph.AddNode("Unsqueeze", "OodScore.Unsqueeze", [whitened, graph.AddInitializer("OodScore.class_axis", [1L], 1)], "OodScore.whitened_column"); // (N, 1, F)
        string means = graph.AddInitializer(OodScoreHead.InitializerNames.WhitenedMeans, m.WhitenedMeans, k, f);
        string differences = graph.AddNode("Sub", "OodScore.Differences", [column, means], "OodScore.differences");                     // (N, K, F)
        string distances = graph.AddNode("ReduceSumSquare", "OodScore.Distances", [differences], "OodScore.distances",
            OnnxGraphBuilder.Ints("axes", 2), OnnxGraphBuilder.Int("keepdims", 0));                                                        // (N, K)
        string nearest = graph.AddNode("ReduceMin", "OodScore.Nearest", [distances], "OodScore.nearest",
            OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 0));                                                        // (N) = D
        string distanceUnits = graph.AddNode("Add", "OodScore.DistanceUnits",
            [graph.AddNode("Mul", "OodScore.DistanceScale", [nearest, graph.AddInitializer(OodScoreHead.InitializerNames.DistanceScale, [head.DistanceScale])], "OodScore.scaled_distance"),
             graph.AddInitializer(OodScoreHead.InitializerNames.DistanceShift, [head.DistanceShift])], "OodScore.distance_units");                          // (N)
        string union = graph.AddNode("Max", "OodScore.Union", [energyUnits, distanceUnits], "OodScore.union");                           // (N)
        return graph.AddNode("Sub", "OodScore.Margin", [union, graph.AddInitializer(OodScoreHead.InitializerNames.Threshold, [head.Threshold])], output);
    }

    private static void CheckOodHead(OodScoreHead head, string? features, int featureCount, int classes, string what)
    {
        if (features is null)
            throw new ArgumentException($"{what} has no Dense layer whose input the out-of-distribution head could read.");
        if (head.Mahalanobis.FeatureCount != featureCount || head.Mahalanobis.ClassCount != classes)
            throw new ArgumentException($"{what}'s last Dense layer reads {featureCount} features into {classes} classes; its out-of-distribution head is for {head.Mahalanobis.FeatureCount} features and {head.Mahalanobis.ClassCount} classes.");
    }

    private static void Validate(OnnxExportOptions options)
    {
        const string name = nameof(options);
        if (string.IsNullOrEmpty(options.InputName))
            throw new ArgumentException("OnnxExportOptions.InputName must not be empty: it names the graph's image input (default \"Image\").", name);
        if (OutputNames.All.Contains(options.InputName))
            throw new ArgumentException($"OnnxExportOptions.InputName is \"{options.InputName}\", which names one of the outputs ({string.Join(", ", OutputNames.All)}); choose another input name.", name);
        if (options.Channels < 1 || options.Height < 1 || options.Width < 1)
            throw new ArgumentException($"The input must have positive Channels, Height and Width; got C={options.Channels}, H={options.Height}, W={options.Width}.", name);
        CheckPerChannel(options.Scale, nameof(OnnxExportOptions.Scale));
        CheckPerChannel(options.Shift, nameof(OnnxExportOptions.Shift));
        if (!double.IsFinite(options.Temperature) || options.Temperature <= 0)
            throw new ArgumentOutOfRangeException(name, options.Temperature,
                $"OnnxExportOptions.Temperature must be finite and positive (1 leaves the softmax as it is); got {options.Temperature.ToString(CultureInfo.InvariantCulture)}.");
        if (options.ProducerVersion is null || options.DocString is null || options.Metadata is null)
            throw new ArgumentNullException(name, "OnnxExportOptions.ProducerVersion, DocString and Metadata must not be null (use empty values).");
        foreach (var (key, value) in options.Metadata)
            if (string.IsNullOrEmpty(key) || value is null)
                throw new ArgumentException($"OnnxExportOptions.Metadata needs non-empty keys and non-null values; got key \"{key}\" with value {(value is null ? "null" : $"\"{value}\"")}.", name);

        void CheckPerChannel(IReadOnlyList<float> values, string what)
        {
            if (values is null || (values.Count != 1 && values.Count != options.Channels))
                throw new ArgumentException(
                    $"OnnxExportOptions.{what} needs 1 value (for every channel) or C = {options.Channels} values (one per channel); got {values?.Count.ToString(CultureInfo.InvariantCulture) ?? "null"}. " +
                    "Match it to OnnxExportOptions.Channels.", name);
            if (values.Any(v => !float.IsFinite(v)))
                throw new ArgumentException($"OnnxExportOptions.{what} must hold finite numbers; got [{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}].", name);
        }
    }

    // The layers in order, nested Sequentials opened up (their children's prefixes keep the full state-dictionary names).
    private static IEnumerable<Layer> Leaves(Sequential network)
    {
        foreach (var layer in network.Layers)
        {
            if (layer is Sequential inner)
            {
                foreach (var leaf in Leaves(inner))
                    yield return leaf;
            }
            else
            {
                yield return layer;
            }
        }
    }

    private static void RequireImage(Layer layer, int[] shape, int channels, int kernel, int padding)
    {
        string expected = $"(N, {(channels < 0 ? "C" : channels.ToString(CultureInfo.InvariantCulture))}, H, W)";
        if (shape.Length != 3 || shape[0] != channels)
            throw ShapeError(layer, expected, shape);
        if (shape[1] + 2 * padding < kernel || shape[2] + 2 * padding < kernel)
            throw ShapeError(layer, $"{expected} with H, W >= {kernel - 2 * padding}", shape);
    }

    private static ConvGeometry Geometry(int[] shape, int kernel, int stride, int padding)
        => new(1, shape[0], shape[1], shape[2], kernel, stride, padding);

    private static AttributeProto[] Window(int kernel, int stride, int padding) =>
    [
        OnnxGraphBuilder.Ints("kernel_shape", kernel, kernel),
        OnnxGraphBuilder.Ints("strides", stride, stride),
        OnnxGraphBuilder.Ints("pads", padding, padding, padding, padding),
    ];

    private static ShapeMismatchException ShapeError(Layer layer, string expected, int[] shape)
        => new($"ONNX export: {Where(layer)} expects input {expected}, but the declared input reaches it as {ShapeText(shape)}. " +
            "Set OnnxExportOptions.Channels, Height and Width to the images the network was trained on.");

    private static string Where(Layer layer) => layer.Prefix.Length == 0 ? $"{layer}" : $"layer {layer.Prefix.TrimEnd('.')} ({layer})";

    private static string ShapeText(int[] perSample) => "(N, " + string.Join(", ", perSample) + ")";
}
