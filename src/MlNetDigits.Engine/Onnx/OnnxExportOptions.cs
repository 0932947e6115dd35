using MlNetDigits.Engine.Ood;

namespace MlNetDigits.Engine.Onnx;

/// <summary>
/// What <see cref="OnnxExporter.Export"/> writes around the network: the input's name and size, the per-channel
/// normalisation x' = x * Scale[c] + Shift[c] applied to raw pixels, the softmax temperature of "Score", and the
/// model's descriptive fields.
/// </summary>
public sealed record OnnxExportOptions
{
    /// <summary>The values every option starts with.</summary>
    public static class Defaults
    {
        /// <summary>The input's name: ML.NET's image column.</summary>
        public const string InputName = "Image";

        /// <summary>Channels, height and width of an MNIST image.</summary>
        public const int Channels = 1, Height = 28, Width = 28;

        /// <summary>1: "Score" is the plain softmax of the logits.</summary>
        public const double Temperature = 1.0;
    }

    /// <summary>The graph input's name; the input is float32 (N, C, H, W) with a symbolic batch axis "N".</summary>
    public string InputName { get; init; } = Defaults.InputName;

    /// <summary>C of the (N, C, H, W) input.</summary>
    public int Channels { get; init; } = Defaults.Channels;

    /// <summary>H of the (N, C, H, W) input.</summary>
    public int Height { get; init; } = Defaults.Height;

    /// <summary>W of the (N, C, H, W) input.</summary>
    public int Width { get; init; } = Defaults.Width;

    /// <summary>Per-channel factor applied to the raw input first: one value for every channel, or C values. Default 1 (no Mul node).</summary>
    public IReadOnlyList<float> Scale { get; init; } = [1f];

    /// <summary>Per-channel offset added after <see cref="Scale"/>: one value for every channel, or C values. Default 0 (no Add node).</summary>
    public IReadOnlyList<float> Shift { get; init; } = [0f];

    /// <summary>T in Score = softmax(Logits / T); finite and positive. At 1 the graph has no Mul before the Softmax.</summary>
    public double Temperature { get; init; } = Defaults.Temperature;

    /// <summary>Whether the graph also outputs "Features" (N, F): the input of the network's last Dense layer.</summary>
    public bool IncludeFeatures { get; init; }

    /// <summary>
    /// The out-of-distribution head: when set, the graph also outputs "OodScore" (N) = max(u_E, u_D) − τ, the union of the
    /// logits' free energy and the features' class Mahalanobis distance in tail units minus the threshold (see
    /// <see cref="OodScoreHead"/>), above 0 for an input less typical than the threshold allows. Null (the default): no
    /// such output.
    /// </summary>
    public OodScoreHead? OodHead { get; init; }

    /// <summary>The model's producer_version; by default this engine's version.</summary>
    public string ProducerVersion { get; init; } = EngineVersion;

    /// <summary>Written to the model's doc_string (empty: none).</summary>
    public string DocString { get; init; } = "";

    /// <summary>Key-value pairs written to the model's metadata_props (in ordinal key order, so the bytes do not depend on the dictionary's order).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The engine assembly's informational version without build metadata, e.g. "0.1.0".</summary>
    internal static readonly string EngineVersion = ReadEngineVersion();

    private static string ReadEngineVersion()
    {
        var assembly = typeof(OnnxExportOptions).Assembly;
        var informational = assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
        var version = informational ?? assembly.GetName().Version?.ToString() ?? "0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
