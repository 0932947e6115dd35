using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits;

/// <summary>
/// What a trained CNN is and how it was made, stored as metadata_props of its ONNX graph (so it travels inside the ML.NET
/// zip and with an exported .onnx file, and is never needed for prediction): the input shape and column, the layers, the
/// normalisation, the calibration temperature, the out-of-distribution threshold, the class names, and — when the model
/// came from training — the settings, the per-epoch history and the calibration figures.
/// </summary>
public sealed record CnnModelInfo
{
    /// <summary>The metadata key prefix of every entry this library writes.</summary>
    public const string MetadataPrefix = "mlnetdigits.";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The input column (and ONNX input) name, e.g. "Image".</summary>
    public required string InputColumnName { get; init; }

    /// <summary>The input image shape (C, H, W).</summary>
    public required int[] InputShape { get; init; }

    /// <summary>Every layer in the engine's spec grammar, the classifier head included (e.g. "conv 24 5", ..., "dense 10").</summary>
    public required IReadOnlyList<string> Layers { get; init; }

    /// <summary>Per-channel mean of the scaled pixels (x / PixelScale).</summary>
    public required float[] Mean { get; init; }

    /// <summary>Per-channel standard deviation of the scaled pixels.</summary>
    public required float[] StandardDeviation { get; init; }

    /// <summary>Inputs are divided by this before normalisation (255 for raw pixels).</summary>
    public required float PixelScale { get; init; }

    /// <summary>The calibration temperature T: Score = softmax(logits / T). 1 when not calibrated.</summary>
    public required double Temperature { get; init; }

    /// <summary>The class names in key order (the label's key values as text).</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>The settings of the training run (null for a model made otherwise).</summary>
    public ImageClassificationSettings? Settings { get; init; }

    /// <summary>Loss and accuracy per epoch.</summary>
    public IReadOnlyList<ImageClassificationEpoch> History { get; init; } = [];

    /// <summary>The fitted temperature with the calibration error before and after; null when not calibrated.</summary>
    public CalibrationResult? Calibration { get; init; }

    /// <summary>
    /// How the out-of-distribution score was set up (the graph's "OodScore" output; see <see cref="OodCalibration"/>); null
    /// for a network without the score (trained without validation images, or before the score existed) and for an
    /// ensemble, whose members carry their own.
    /// </summary>
    public OodCalibration? Ood { get; init; }

    /// <summary>
    /// For an ensemble (see <see cref="ImageClassificationEnsemble"/>), each member's info in graph order (member i's
    /// weights are the initializers "member{i}/..."); then <see cref="Layers"/> is empty. Null for a single network.
    /// </summary>
    public IReadOnlyList<CnnModelInfo>? Members { get; init; }

    /// <summary>True when the graph averages several networks.</summary>
    [JsonIgnore]
    public bool IsEnsemble => Members is { Count: > 0 };

    /// <summary>
    /// True when the graph outputs "OodScore": a network with <see cref="Ood"/>, or an ensemble all of whose members have it
    /// (its OodScore is the mean of the members' margins over their own thresholds).
    /// </summary>
    [JsonIgnore]
    public bool HasOodScore => IsEnsemble ? Members!.All(m => m.Ood is not null) : Ood is not null;

    /// <summary>The metadata entries written into the ONNX graph.</summary>
    internal IReadOnlyDictionary<string, string> ToMetadata()
    {
        var entries = new Dictionary<string, string>
        {
            [MetadataPrefix + "model"] = JsonSerializer.Serialize(this with { Settings = null, History = [], Calibration = null }, Json),
            [MetadataPrefix + "history"] = JsonSerializer.Serialize(History, Json),
        };
        if (Settings is not null)
            entries[MetadataPrefix + "settings"] = JsonSerializer.Serialize(Settings, Json);
        if (Calibration is not null)
            entries[MetadataPrefix + "calibration"] = JsonSerializer.Serialize(Calibration, Json);
        return entries;
    }

    /// <summary>Reads the info from an ONNX model this library exported.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model, or one without this library's metadata.</exception>
    public static CnnModelInfo FromOnnx(byte[] onnxModel)
    {
        var onnx = OnnxModelInfo.Read(onnxModel);
        if (!onnx.Metadata.TryGetValue(MetadataPrefix + "model", out var model))
            throw new InvalidDataException($"The ONNX model (producer '{onnx.ProducerName}') has no '{MetadataPrefix}model' metadata: it was not exported by MlNetDigits' CNN trainer.");
        try
        {
            var info = JsonSerializer.Deserialize<CnnModelInfo>(model, Json) ?? throw new InvalidDataException("empty model metadata");
            if (info.InputShape is not { Length: 3 } shape || shape.Any(d => d is < 1 or > 4096))
                throw new InvalidDataException($"The ONNX model's metadata gives the input shape ({string.Join(", ", info.InputShape ?? [])}); expected (C, H, W) with each between 1 and 4096.");
            if (info.ClassNames is not { Count: >= 2 } || info.Layers is null || info.Mean is null || info.StandardDeviation is null)
                throw new InvalidDataException("The ONNX model's metadata lacks its classes (at least two), layers or normalisation.");
            return info with
            {
                History = onnx.Metadata.TryGetValue(MetadataPrefix + "history", out var h) ? JsonSerializer.Deserialize<ImageClassificationEpoch[]>(h, Json) ?? [] : [],
                Settings = onnx.Metadata.TryGetValue(MetadataPrefix + "settings", out var s) ? JsonSerializer.Deserialize<ImageClassificationSettings>(s, Json) : null,
                Calibration = onnx.Metadata.TryGetValue(MetadataPrefix + "calibration", out var c) ? JsonSerializer.Deserialize<CalibrationResult>(c, Json) : null,
            };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The ONNX model's MlNetDigits metadata is not valid: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads the info of the CNN inside an ML.NET model file (the first ONNX graph with this library's metadata).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a model zip, or holds no CNN made by this library.</exception>
    public static CnnModelInfo ReadFromModelFile(string modelPath) => FromOnnx(ReadOnnxFromModelFile(modelPath));

    /// <summary>The info of the CNN inside <paramref name="model"/> (a trained or loaded chain), or null when it holds none.</summary>
    public static CnnModelInfo? FromModel(MLContext ml, ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        if (Stages(model).OfType<ImageClassificationTransformer>().FirstOrDefault() is { } cnn)
            return cnn.Info;
        using var zip = new MemoryStream();
        ml.Model.Save(model, null, zip);
        zip.Position = 0;
        var graphs = OnnxModelsIn(zip, "the model");
        foreach (var graph in graphs)
            if (OnnxModelInfo.Read(graph).Metadata.ContainsKey(MetadataPrefix + "model"))
                return FromOnnx(graph);
        return null;
    }

    /// <summary>Every transformer of a (nested) chain, outermost first.</summary>
    private static IEnumerable<ITransformer> Stages(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Stages).Prepend(model) : [model];

    /// <summary>
    /// The ONNX graph of the CNN inside an ML.NET model file (see <see cref="ReadOnnxFromModelFile"/>), or null when the
    /// file is a valid model zip without one (an SDCA model, say).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable model zip.</exception>
    public static byte[]? TryReadOnnxFromModelFile(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"No model file at '{modelPath}'.", modelPath);
        using var file = File.OpenRead(modelPath);
        return OnnxModelsIn(file, $"'{modelPath}'").FirstOrDefault(g => OnnxModelInfo.Read(g).Metadata.ContainsKey(MetadataPrefix + "model"));
    }

    /// <summary>
    /// The ONNX graph of the CNN inside an ML.NET model file: what ML.NET's OnnxTransformer stored (the exported network
    /// with its metadata), byte for byte.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable model zip, or it holds no CNN made by this library.</exception>
    public static byte[] ReadOnnxFromModelFile(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"No model file at '{modelPath}'.", modelPath);
        using var file = File.OpenRead(modelPath);
        var graphs = OnnxModelsIn(file, $"'{modelPath}'");
        foreach (var graph in graphs)
            if (OnnxModelInfo.Read(graph).Metadata.ContainsKey(MetadataPrefix + "model"))
                return graph;
        throw new InvalidDataException(graphs.Count == 0
            ? $"'{modelPath}' holds no ONNX graph: it is not a CNN model (an SDCA model, for instance, is exported with ML.NET's ConvertToOnnx)."
            : $"'{modelPath}' holds {graphs.Count} ONNX graph(s), none made by MlNetDigits' CNN trainer.");
    }

    /// <summary>
    /// Every ONNX graph stored by ML.NET's OnnxTransformer in a model zip: its "OnnxModel" entries hold a little-endian
    /// Int32 length followed by the graph's bytes.
    /// </summary>
    internal static List<byte[]> OnnxModelsIn(Stream zipStream, string what)
    {
        var graphs = new List<byte[]>();
        try
        {
            using var zip = new ZipArchive(zipStream, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith("/OnnxModel", StringComparison.Ordinal))
                    continue;
                if (entry.Length < 4 || entry.Length > int.MaxValue)
                    throw new InvalidDataException($"{what}: the entry '{entry.FullName}' has an impossible size ({entry.Length} bytes).");
                using var stream = entry.Open();
                var header = new byte[4];
                stream.ReadExactly(header);
                int length = BitConverter.ToInt32(header);
                if (length < 0 || length != entry.Length - 4)
                    throw new InvalidDataException($"{what}: the entry '{entry.FullName}' announces {length} bytes of ONNX but holds {entry.Length - 4}.");
                var bytes = new byte[length];
                stream.ReadExactly(bytes);
                graphs.Add(bytes);
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(what, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{what} is not a valid ML.NET model file (zip): {e.Message}", e);
        }
        return graphs;
    }
}
