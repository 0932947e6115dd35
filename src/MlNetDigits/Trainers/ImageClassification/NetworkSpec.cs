using System.Globalization;
using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;

namespace MlNetDigits;

/// <summary>
/// A CNN described as a list of layer specs over an input of shape (C, H, W), e.g. "conv 32 3 pad=1", "bn", "relu",
/// "maxpool 2", "dropout 0.25", "flatten", "dense 128". Parsing checks every spec and every shape before a weight is
/// made; <see cref="Build"/> turns the list into an engine <see cref="Sequential"/> (parameters named "0.weight", ...).
/// </summary>
/// <remarks>
/// Grammar (one layer per spec, case-insensitive, options as key=value):
/// <c>conv OUT K [stride=S] [pad=P] [bias=true|false]</c>, <c>bn</c> (BatchNorm2d after a conv, BatchNorm1d after flatten),
/// <c>relu</c>, <c>maxpool K [stride=S] [pad=P]</c>, <c>avgpool K [stride=S] [pad=P]</c>, <c>dropout P</c>, <c>flatten</c>,
/// <c>dense OUT [bias=true|false]</c>.
/// </remarks>
public sealed class NetworkSpec
{
    /// <summary>The layer kinds a spec may start with.</summary>
    public static IReadOnlyList<string> LayerKinds { get; } = ["conv", "bn", "relu", "maxpool", "avgpool", "dropout", "flatten", "dense"];

    private readonly LayerSpec[] _layers;

    private NetworkSpec(int channels, int height, int width, LayerSpec[] layers, int[] outputShape)
    {
        Channels = channels;
        Height = height;
        Width = width;
        _layers = layers;
        OutputShape = outputShape;
    }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>The layers in canonical text form ("conv 32 3 pad=1").</summary>
    public IReadOnlyList<string> Layers => [.. _layers.Select(l => l.Text)];

    /// <summary>The output shape of one example without the batch dimension: (features) or (C, H, W).</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>
    /// Parses <paramref name="layers"/> for inputs (<paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>).
    /// With <paramref name="classes"/> set, a classifier head is appended: "flatten" when the body ends in images, then
    /// "dense K". Throws <see cref="ArgumentException"/> naming the spec and what is wrong.
    /// </summary>
    public static NetworkSpec Parse(IEnumerable<string> layers, int channels, int height, int width, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"The input shape must be positive; got ({channels}, {height}, {width}).");
        var list = layers.ToList();
        if (classes is { } k)
        {
            if (k < 2)
                throw new ArgumentOutOfRangeException(nameof(classes), $"A classifier needs at least 2 classes; got {k}.");
            // Shape of the body decides whether the head needs a flatten.
            var body = Parse(list, channels, height, width);
            if (body.OutputShape.Count != 1)
                list.Add("flatten");
            list.Add($"dense {k.ToString(CultureInfo.InvariantCulture)}");
        }
        int[] shape = [channels, height, width];
        var parsed = new LayerSpec[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            parsed[i] = LayerSpec.Parse(list[i], i);
            shape = parsed[i].OutputShape(shape, i);
        }
        return new NetworkSpec(channels, height, width, parsed, shape);
    }

    /// <summary>
    /// Builds the network. Conv and dense weights are drawn from <paramref name="rng"/> in layer order (PyTorch's default
    /// initialisation); dropout layers draw their masks from the same source during training.
    /// </summary>
    public Sequential Build(Rng rng)
    {
        var net = new Sequential();
        int[] shape = [Channels, Height, Width];
        for (int i = 0; i < _layers.Length; i++)
        {
            net.Add(_layers[i].Create(shape, rng));
            shape = _layers[i].OutputShape(shape, i);
        }
        return net;
    }

    /// <summary>Multiply-accumulate operations of one example's forward pass (conv and dense layers).</summary>
    /// <summary>
    /// The number of learnable values and batch-norm statistics the network holds (weights, biases, running means and
    /// variances), computed from the specs alone, so a description can be checked before anything is allocated.
    /// </summary>
    public long ParameterCount()
    {
        long total = 0;
        int[] shape = [Channels, Height, Width];
        for (int i = 0; i < _layers.Length; i++)
        {
            var layer = _layers[i];
            var next = layer.OutputShape(shape, i);
            total += layer.Kind switch
            {
                "conv" => (long)next[0] * shape[0] * layer.Size * layer.Size + (layer.Bias ? next[0] : 0),
                "dense" => (long)next[0] * shape[0] + (layer.Bias ? next[0] : 0),
                "bn" => 4L * shape[0],
                _ => 0,
            };
            shape = next;
        }
        return total;
    }

    public long MultiplyAccumulates()
    {
        long total = 0;
        int[] shape = [Channels, Height, Width];
        for (int i = 0; i < _layers.Length; i++)
        {
            var next = _layers[i].OutputShape(shape, i);
            total += _layers[i].Kind switch
            {
                "conv" => (long)next[0] * next[1] * next[2] * shape[0] * _layers[i].Size * _layers[i].Size,
                "dense" => (long)shape[0] * next[0],
                _ => 0,
            };
            shape = next;
        }
        return total;
    }

    public override string ToString() => string.Join(" -> ", Layers);

    /// <summary>One parsed layer spec.</summary>
    private sealed record LayerSpec(string Kind, int Count, int Size, int Stride, int Padding, bool Bias, double Probability, string Text)
    {
        public static LayerSpec Parse(string spec, int index)
        {
            if (string.IsNullOrWhiteSpace(spec))
                throw Error(index, spec, "it is empty");
            var tokens = spec.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var kind = tokens[0].ToLowerInvariant();
            var positional = tokens.Skip(1).Where(t => !t.Contains('=')).ToArray();
            var named = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var t in tokens.Skip(1).Where(t => t.Contains('=')))
            {
                var parts = t.Split('=', 2);
                if (!named.TryAdd(parts[0], parts[1]))
                    throw Error(index, spec, $"option '{parts[0]}' is given twice");
            }
            string[] allowedNames;
            LayerSpec result;
            switch (kind)
            {
                case "conv":
                    Positional(index, spec, positional, 2, "conv OUT K [stride=S] [pad=P] [bias=false]");
                    allowedNames = ["stride", "pad", "bias"];
                    result = new(kind, Int(index, spec, positional[0], "OUT", 1), Int(index, spec, positional[1], "K", 1),
                        NamedInt(index, spec, named, "stride", 1, 1), NamedInt(index, spec, named, "pad", 0, 0), NamedBool(index, spec, named, "bias"), 0, "");
                    break;
                case "dense":
                    Positional(index, spec, positional, 1, "dense OUT [bias=false]");
                    allowedNames = ["bias"];
                    result = new(kind, Int(index, spec, positional[0], "OUT", 1), 0, 1, 0, NamedBool(index, spec, named, "bias"), 0, "");
                    break;
                case "maxpool" or "avgpool":
                    Positional(index, spec, positional, 1, $"{kind} K [stride=S] [pad=P]");
                    allowedNames = ["stride", "pad"];
                    int k = Int(index, spec, positional[0], "K", 1);
                    result = new(kind, 0, k, NamedInt(index, spec, named, "stride", k, 1), NamedInt(index, spec, named, "pad", 0, 0), true, 0, "");
                    if (result.Padding > k / 2)
                        throw Error(index, spec, $"padding {result.Padding} is more than half the window {k}");
                    break;
                case "dropout":
                    Positional(index, spec, positional, 1, "dropout P");
                    allowedNames = [];
                    if (!double.TryParse(positional[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || !(p >= 0 && p < 1))
                        throw Error(index, spec, $"the probability '{positional[0]}' is not a number in [0, 1)");
                    result = new(kind, 0, 0, 1, 0, true, p, "");
                    break;
                case "bn" or "relu" or "flatten":
                    Positional(index, spec, positional, 0, kind);
                    allowedNames = [];
                    result = new(kind, 0, 0, 1, 0, true, 0, "");
                    break;
                default:
                    throw Error(index, spec, $"'{tokens[0]}' is not a layer kind; use one of: {string.Join(", ", LayerKinds)}");
            }
            foreach (var name in named.Keys)
                if (!allowedNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                    throw Error(index, spec, $"'{kind}' has no option '{name}'" + (allowedNames.Length == 0 ? "" : $" (it has: {string.Join(", ", allowedNames)})"));
            return result with { Text = result.Canonical() };
        }

        /// <summary>The output shape (without batch) for an input of <paramref name="shape"/>, or an error naming the layer.</summary>
        public int[] OutputShape(int[] shape, int index)
        {
            switch (Kind)
            {
                case "conv":
                case "maxpool":
                case "avgpool":
                    if (shape.Length != 3)
                        throw Error(index, Text, $"it needs images (C, H, W) but gets {Tensor.ShapeToText(shape)} features; put it before 'flatten'");
                    int h = (shape[1] + 2 * Padding - Size) / Stride + 1, w = (shape[2] + 2 * Padding - Size) / Stride + 1;
                    if (shape[1] + 2 * Padding < Size || shape[2] + 2 * Padding < Size)
                        throw Error(index, Text, $"its window {Size} is larger than its input {shape[1]}x{shape[2]} (plus padding {Padding}); use fewer pooling layers, padding or a smaller kernel");
                    return [Kind == "conv" ? Count : shape[0], h, w];
                case "dense":
                    if (shape.Length != 1)
                        throw Error(index, Text, $"it needs features but gets images {Tensor.ShapeToText(shape)}; put 'flatten' before it");
                    return [Count];
                case "flatten":
                    return [shape.Aggregate(1, (a, b) => checked(a * b))];
                default:
                    return shape;
            }
        }

        public Layer Create(int[] shape, Rng rng) => Kind switch
        {
            "conv" => new Conv2d(shape[0], Count, Size, rng, Stride, Padding, Bias),
            "dense" => new Dense(shape[0], Count, rng, Bias),
            "maxpool" => new MaxPool2d(Size, Stride, Padding),
            "avgpool" => new AvgPool2d(Size, Stride, Padding),
            "dropout" => new Dropout(Probability, rng),
            "bn" => shape.Length == 3 ? new BatchNorm2d(shape[0]) : new BatchNorm1d(shape[0]),
            "relu" => new ReLU(),
            "flatten" => new Flatten(),
            _ => throw new InvalidOperationException($"unreachable: layer kind {Kind}"),
        };

        private string Canonical()
        {
            var inv = CultureInfo.InvariantCulture;
            return Kind switch
            {
                "conv" => $"conv {Count} {Size}{(Stride != 1 ? $" stride={Stride}" : "")}{(Padding != 0 ? $" pad={Padding}" : "")}{(Bias ? "" : " bias=false")}",
                "dense" => $"dense {Count}{(Bias ? "" : " bias=false")}",
                "maxpool" or "avgpool" => $"{Kind} {Size}{(Stride != Size ? $" stride={Stride}" : "")}{(Padding != 0 ? $" pad={Padding}" : "")}",
                "dropout" => $"dropout {Probability.ToString("R", inv)}",
                _ => Kind,
            };
        }

        private static void Positional(int index, string spec, string[] positional, int count, string usage)
        {
            if (positional.Length != count)
                throw Error(index, spec, $"it has {positional.Length} value(s) where '{usage}' takes {count}");
        }

        private static int Int(int index, string spec, string text, string what, int min)
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
                throw Error(index, spec, $"{what} '{text}' is not an integer >= {min}");
            return v;
        }

        private static int NamedInt(int index, string spec, Dictionary<string, string> named, string name, int fallback, int min) =>
            named.TryGetValue(name, out var text) ? Int(index, spec, text, name, min) : fallback;

        private static bool NamedBool(int index, string spec, Dictionary<string, string> named, string name)
        {
            if (!named.TryGetValue(name, out var text))
                return true;
            if (!bool.TryParse(text, out var v))
                throw Error(index, spec, $"{name} '{text}' is not true or false");
            return v;
        }

        private static ArgumentException Error(int index, string? spec, string problem) =>
            new($"Layer {index} '{spec}' is invalid: {problem}.");
    }
}
