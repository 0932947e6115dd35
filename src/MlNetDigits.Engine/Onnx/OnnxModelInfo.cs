using System.Globalization;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MlNetDigits.Engine.Onnx;

/// <summary>
/// What an ONNX model says about itself, as plain data: IR and operator-set versions, producer, the graph's inputs
/// (initializers left out) and outputs with element types and shapes, metadata and doc string. Weights are parsed
/// but not kept.
/// </summary>
public sealed class OnnxModelInfo
{
    private OnnxModelInfo(ModelProto model)
    {
        IrVersion = model.IrVersion;
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
            opsets[opset.Domain] = opset.Version;
        OpsetVersions = opsets;
        ProducerName = model.ProducerName;
        ProducerVersion = model.ProducerVersion;
        DocString = model.DocString;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
            metadata[entry.Key] = entry.Value;
        Metadata = metadata;
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        Inputs = [.. model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe)];
        Outputs = [.. model.Graph.Output.Select(Describe)];
    }

    /// <summary>The ONNX IR version (the exporter writes 8).</summary>
    public long IrVersion { get; }

    /// <summary>Operator-set version per domain; the default ai.onnx domain is the empty string.</summary>
    public IReadOnlyDictionary<string, long> OpsetVersions { get; }

    /// <summary>producer_name, e.g. "MlNetDigits"; empty when unset.</summary>
    public string ProducerName { get; }

    /// <summary>producer_version; empty when unset.</summary>
    public string ProducerVersion { get; }

    /// <summary>The model's doc_string; empty when unset.</summary>
    public string DocString { get; }

    /// <summary>The graph inputs a caller feeds (those that are not initializers), in graph order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    /// <summary>The graph outputs, in graph order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    /// <summary>metadata_props as a dictionary (a repeated key keeps its last value).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Parses a serialized ONNX ModelProto.</summary>
    /// <exception cref="InvalidDataException">The bytes do not parse as a model with a graph and an operator set.</exception>
    public static OnnxModelInfo Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(() => ModelProto.Parser.ParseFrom(bytes), "The bytes are");
    }

    /// <summary>Parses a serialized ONNX ModelProto from <paramref name="stream"/>, read to its end.</summary>
    /// <exception cref="InvalidDataException">The bytes do not parse as a model with a graph and an operator set.</exception>
    public static OnnxModelInfo Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(() => ModelProto.Parser.ParseFrom(stream), "The bytes are");
    }

    /// <summary>Parses the ONNX model file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file is at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file does not parse as a model with a graph and an operator set.</exception>
    public static OnnxModelInfo ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"There is no ONNX model file at '{Path.GetFullPath(path)}'. Check the path, or export the model first.", path);
        using var stream = File.OpenRead(path);
        return Parse(() => ModelProto.Parser.ParseFrom(stream), $"The file '{path}' is");
    }

    private static OnnxModelInfo Parse(Func<ModelProto> parse, string subject)
    {
        ModelProto model;
        try
        {
            model = parse();
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException(
                $"{subject} not a valid ONNX model: the protobuf parser said \"{ex.Message}\" Check that it is a complete .onnx file (a truncated download or copy fails this way).", ex);
        }
        // Protobuf accepts many byte strings (empty ones included) as a message with unknown or missing fields, so the parts every model has are checked too.
        if (model.Graph is null || model.OpsetImport.Count == 0)
            throw new InvalidDataException(
                $"{subject} not a valid ONNX model: they parse as protobuf but hold {(model.Graph is null ? "no graph" : "no operator-set import")} (IR version {model.IrVersion}). " +
                "Check that it is a complete .onnx file.");
        return new OnnxModelInfo(model);
    }

    private static OnnxTensorInfo Describe(ValueInfoProto value)
    {
        var type = value.Type;
        if (type is null || type.ValueCase == TypeProto.ValueOneofCase.None)
            return new OnnxTensorInfo(value.Name, "undefined", null, null);
        if (type.ValueCase != TypeProto.ValueOneofCase.TensorType)
            return new OnnxTensorInfo(value.Name, type.ValueCase switch
            {
                TypeProto.ValueOneofCase.SequenceType => "sequence",
                TypeProto.ValueOneofCase.MapType => "map",
                TypeProto.ValueOneofCase.OptionalType => "optional",
                TypeProto.ValueOneofCase.SparseTensorType => "sparse_tensor",
                var other => other.ToString().ToLowerInvariant(),
            }, null, null);
        var tensor = type.TensorType;
        string element = Enum.IsDefined((DataType)tensor.ElemType)
            ? ((DataType)tensor.ElemType).ToString().ToLowerInvariant()
            : "type " + tensor.ElemType.ToString(CultureInfo.InvariantCulture);
        if (tensor.Shape is null)
            return new OnnxTensorInfo(value.Name, element, null, null);
        var dims = tensor.Shape.Dim
            .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue is >= 0 and <= int.MaxValue ? (int)d.DimValue : -1)
            .ToArray();
        var names = tensor.Shape.Dim
            .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : null)
            .ToArray();
        return new OnnxTensorInfo(value.Name, element, dims, names);
    }
}
