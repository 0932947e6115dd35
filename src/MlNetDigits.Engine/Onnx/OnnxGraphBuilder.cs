using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MlNetDigits.Engine.Onnx;

/// <summary>
/// Appends initializers, nodes, inputs and outputs to one ONNX graph in the order they are added (so the same calls give
/// the same bytes), refusing a value name that is already taken. The exporter's layers and output heads are written
/// through it; a new head is a few AddNode calls and one AddOutput.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The symbolic name of every input's and output's first (batch) axis.</summary>
    public const string BatchAxis = "N";

    private readonly GraphProto _graph;
    private readonly HashSet<string> _values = new(StringComparer.Ordinal); // inputs, initializers and node outputs
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string name) => _graph = new GraphProto { Name = name };

    /// <summary>The graph built so far.</summary>
    public GraphProto Graph => _graph;

    /// <summary>
    /// A prefix put before the names of the initializers, nodes and node outputs added from now on (e.g. "member0/"), so
    /// several networks with the same state-dictionary names can live in one graph; empty by default.
    /// </summary>
    public string Scope { get; set; } = "";

    /// <summary>One dimension of a declared input or output: a fixed size, or a symbolic name such as <see cref="BatchAxis"/>.</summary>
    public readonly record struct Dim(long Value, string? Param)
    {
        public static implicit operator Dim(long value) => new(value, null);

        public static implicit operator Dim(string param) => new(-1, param);
    }

    /// <summary>Declares a graph input of element type <paramref name="type"/> and shape <paramref name="dims"/>; returns its name.</summary>
    public string AddInput(string name, DataType type, params Dim[] dims)
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares the existing value <paramref name="name"/> a graph output of element type <paramref name="type"/> and shape <paramref name="dims"/>.</summary>
    public void AddOutput(string name, DataType type, params Dim[] dims)
    {
        if (!_values.Contains(name))
            throw new InvalidOperationException($"Cannot declare '{name}' a graph output: no input, initializer or node produces it.");
        if (_graph.Output.Any(o => o.Name == name))
            throw new InvalidOperationException($"'{name}' is already a graph output.");
        _graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>Adds a float32 constant of shape <paramref name="dims"/> (little-endian raw data); returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        name = Scope + name;
        var bytes = new byte[checked(values.Length * sizeof(float))];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return AddInitializer(name, DataType.Float, values.Length, bytes, dims);
    }

    /// <summary>Adds an int64 constant of shape <paramref name="dims"/> (little-endian raw data); returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        name = Scope + name;
        var bytes = new byte[checked(values.Length * sizeof(long))];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        return AddInitializer(name, DataType.Int64, values.Length, bytes, dims);
    }

    /// <summary>Adds a node of the default (ai.onnx) domain named <paramref name="name"/> with one output; returns the output's name.</summary>
    public string AddNode(string opType, string name, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
    {
        (name, output) = (Scope + name, Scope + output);
        foreach (var input in inputs)
            if (input.Length > 0 && !_values.Contains(input))
                throw new InvalidOperationException($"Node '{name}' ({opType}) reads '{input}', which nothing before it produces.");
        if (!_nodeNames.Add(name))
            throw new InvalidOperationException($"The graph already has a node named '{name}'.");
        Claim(output);
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Renames the node output <paramref name="value"/> to <paramref name="newName"/> wherever it is produced or read (to give a graph output its public name).</summary>
    public void RenameValue(string value, string newName)
    {
        if (!_graph.Node.Any(n => n.Output.Contains(value)))
            throw new InvalidOperationException($"Cannot rename '{value}': no node produces it (only node outputs are renamed).");
        Claim(newName);
        _values.Remove(value);
        foreach (var node in _graph.Node)
        {
            Replace(node.Input);
            Replace(node.Output);
        }
        foreach (var output in _graph.Output.Where(o => o.Name == value))
            output.Name = newName;

        void Replace(Google.Protobuf.Collections.RepeatedField<string> names)
        {
            for (int i = 0; i < names.Count; i++)
                if (names[i] == value)
                    names[i] = newName;
        }
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private string AddInitializer(string name, DataType type, int count, byte[] rawData, long[] dims)
    {
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (expected != count)
            throw new ArgumentException($"Initializer '{name}' of shape ({string.Join(", ", dims)}) needs {expected} values, got {count}.", nameof(dims));
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(rawData) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name))
            throw new ArgumentException("ONNX value names must not be empty.", nameof(name));
        if (!_values.Add(name))
            throw new InvalidOperationException($"The graph already has a value named '{name}'.");
    }

    private static ValueInfoProto ValueInfo(string name, DataType type, Dim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim.Param is null ? new TensorShapeProto.Types.Dimension { DimValue = dim.Value } : new TensorShapeProto.Types.Dimension { DimParam = dim.Param });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
