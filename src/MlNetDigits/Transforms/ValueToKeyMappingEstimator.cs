using System.Globalization;
using System.Text.Json;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Transforms;

/// <summary>How <c>MapValueToKey</c> numbers the values it finds.</summary>
public enum KeyOrdinality
{
    /// <summary>Key 1 is the first value seen, key 2 the next new one, and so on.</summary>
    ByOccurrence,

    /// <summary>Keys follow the sorted order of the values (numeric order, or ordinal order for text).</summary>
    ByValue,
}

/// <summary><c>MapValueToKey</c> on <see cref="TransformsCatalog"/>.</summary>
public static class ValueToKeyMappingCatalog
{
    /// <summary>
    /// Maps each distinct value of <paramref name="inputColumnName"/> (numbers, text or booleans, scalar or vector) to a key
    /// 1..K; values not seen while fitting, and NaN or null, map to key 0 (missing). The output carries the KeyValues
    /// annotation: the values, key 1 first.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The key column to add.</param>
    /// <param name="inputColumnName">The column to read; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="maximumNumberOfKeys">The most distinct values kept (the first ones found); later new values map to 0.</param>
    /// <param name="keyOrdinality">Numbering by first occurrence or by sorted value.</param>
    /// <param name="addKeyValueAnnotationsAsText">Write the KeyValues annotation as text instead of the input's type.</param>
    public static ValueToKeyMappingEstimator MapValueToKey(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        int maximumNumberOfKeys = ValueToKeyMappingEstimator.Defaults.MaximumNumberOfKeys,
        KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.Defaults.Ordinality,
        bool addKeyValueAnnotationsAsText = ValueToKeyMappingEstimator.Defaults.AddKeyValueAnnotationsAsText) =>
        catalog.MapValueToKey(new ValueToKeyMappingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            MaximumNumberOfKeys = maximumNumberOfKeys,
            KeyOrdinality = keyOrdinality,
            AddKeyValueAnnotationsAsText = addKeyValueAnnotationsAsText,
        });

    /// <summary>Maps values to keys with every option given (see the simple overload).</summary>
    public static ValueToKeyMappingEstimator MapValueToKey(this TransformsCatalog catalog, ValueToKeyMappingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ValueToKeyMappingEstimator(options);
    }
}

/// <summary>Learns the distinct values of a column and produces a <see cref="ValueToKeyMappingTransformer"/>.</summary>
public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    private readonly Options _options;

    internal ValueToKeyMappingEstimator(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        if (options.MaximumNumberOfKeys < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaximumNumberOfKeys, "MaximumNumberOfKeys must be at least 1.");
        _options = options;
    }

    private string InputColumnName => string.IsNullOrEmpty(_options.InputColumnName) ? _options.OutputColumnName : _options.InputColumnName;

    /// <summary>The defaults of <c>MapValueToKey</c>, as in ML.NET.</summary>
    public static class Defaults
    {
        public const int MaximumNumberOfKeys = 1_000_000;
        public const KeyOrdinality Ordinality = KeyOrdinality.ByOccurrence;
        public const bool AddKeyValueAnnotationsAsText = false;
    }

    /// <summary>Every setting of <c>MapValueToKey</c>.</summary>
    public sealed record Options
    {
        public required string OutputColumnName { get; init; }
        public string? InputColumnName { get; init; }
        public int MaximumNumberOfKeys { get; init; } = Defaults.MaximumNumberOfKeys;
        public KeyOrdinality KeyOrdinality { get; init; } = Defaults.Ordinality;
        public bool AddKeyValueAnnotationsAsText { get; init; } = Defaults.AddKeyValueAnnotationsAsText;
    }

    internal const string ExpectedInput = "a scalar or vector of numbers, text or booleans (not a key)";

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var input = ShapeChecks.Require(inputSchema, InputColumnName, ExpectedInput, c => !c.IsKey && KeyMap.IsSupported(c.ItemType));
        var annotations = input.Kind == ColumnKind.Vector
            ? [AnnotationKinds.KeyValues, .. ShapeChecks.Keep(input.AnnotationKinds, AnnotationKinds.SlotNames)]
            : new[] { AnnotationKinds.KeyValues };
        var output = new SchemaShape.Column(_options.OutputColumnName, input.Kind, NumberDataViewType.UInt32, IsKey: true,
            input.Dimensions, [.. annotations])
        {
            KeyValuesItemType = _options.AddKeyValueAnnotationsAsText ? TextDataViewType.Instance : input.ItemType,
        };
        return inputSchema.With(output);
    }

    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var column = input.Schema[InputColumnName];
        var map = KeyMap.Train(input, column, _options.MaximumNumberOfKeys, _options.KeyOrdinality);
        return new ValueToKeyMappingTransformer(_options.OutputColumnName, InputColumnName, map, _options.AddKeyValueAnnotationsAsText);
    }
}

/// <summary>
/// Replaces values by their keys: key k (1-based) for the k-th learned value, 0 for values it never saw and for NaN or null.
/// </summary>
[ModelStage("MapValueToKey")]
public sealed class ValueToKeyMappingTransformer : OneToOneTransformerBase
{
    private readonly KeyMap _map;

    internal ValueToKeyMappingTransformer(string outputColumnName, string inputColumnName, KeyMap map, bool addKeyValueAnnotationsAsText)
        : base(outputColumnName, inputColumnName)
    {
        _map = map;
        AddKeyValueAnnotationsAsText = addKeyValueAnnotationsAsText;
    }

    /// <summary>True when the KeyValues annotation is text.</summary>
    public bool AddKeyValueAnnotationsAsText { get; }

    /// <summary>The number of keys (values learned).</summary>
    public int KeyCount => _map.Count;

    /// <summary>The type of the values this transformer maps.</summary>
    public PrimitiveDataViewType ValueType => _map.ItemType;

    private protected override string DescribeExpectedInput() => $"{_map.ItemType} or a vector of {_map.ItemType}";

    private protected override OutputColumn GetOutputColumn(DataViewSchema.Column input)
    {
        if (!ShapeChecks.ItemType(input.Type).Equals(_map.ItemType))
            throw new SchemaException(InputColumnName, DescribeExpectedInput(), input.Type.ToString());
        var keyType = new KeyDataViewType((ulong)_map.Count);
        var annotations = _map.AddKeyValues(DataViewSchema.Annotations.Empty, AddKeyValueAnnotationsAsText);
        if (input.Type is VectorDataViewType vector)
        {
            if (input.Annotations.GetTypeOrNull(AnnotationKinds.SlotNames) is { } slotNamesType
                && input.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var slotNames))
                annotations = annotations.With(AnnotationKinds.SlotNames, slotNamesType, slotNames);
            return new OutputColumn(OutputColumnName, new VectorDataViewType(keyType, [.. vector.Dimensions]), annotations);
        }
        return new OutputColumn(OutputColumnName, keyType, annotations);
    }

    private protected override Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input) =>
        _map.MakeGetter(row, input, input.Type is VectorDataViewType);

    public override void Save(ModelSaveContext context)
    {
        context.WriteJson("transform.json", new Header(OutputColumnName, InputColumnName, AddKeyValueAnnotationsAsText));
        _map.Save(context, "keys.json");
    }

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static ValueToKeyMappingTransformer Load(ModelLoadContext context)
    {
        var header = context.ReadJson<Header>("transform.json");
        return new ValueToKeyMappingTransformer(header.OutputColumnName, header.InputColumnName, KeyMap.Load(context, "keys.json"),
            header.AddKeyValueAnnotationsAsText);
    }

    private sealed record Header(string OutputColumnName, string InputColumnName, bool AddKeyValueAnnotationsAsText);
}

/// <summary>The learned values of a key mapping, key k standing for <c>Values[k - 1]</c>.</summary>
internal abstract class KeyMap
{
    public abstract PrimitiveDataViewType ItemType { get; }

    public abstract int Count { get; }

    public static bool IsSupported(PrimitiveDataViewType type) =>
        type is NumberDataViewType or TextDataViewType or BooleanDataViewType;

    /// <summary>One pass over <paramref name="column"/>, collecting up to <paramref name="maximumNumberOfKeys"/> distinct values.</summary>
    public static KeyMap Train(IDataView data, DataViewSchema.Column column, int maximumNumberOfKeys, KeyOrdinality ordinality) =>
        GenericDispatch.Invoke<KeyMap>(typeof(KeyMap), nameof(TrainTyped), ShapeChecks.ItemType(column.Type).RawType,
            data, column, maximumNumberOfKeys, ordinality);

    public abstract Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input, bool isVector);

    /// <summary>A copy of <paramref name="annotations"/> with the KeyValues annotation (the values, or their text).</summary>
    public abstract DataViewSchema.Annotations AddKeyValues(DataViewSchema.Annotations annotations, bool asText);

    /// <summary>Writes the human-readable mapping: the item type and the values, key 1 first.</summary>
    public abstract void Save(ModelSaveContext context, string name);

    public static KeyMap Load(ModelLoadContext context, string name)
    {
        var file = context.ReadJson<KeyMapFile>(name);
        var type = ParseType(file.ItemType)
            ?? throw new InvalidModelException($"Model entry '{context.Folder}/{name}' has item type '{file.ItemType}'; expected a number type, String or Boolean.");
        return GenericDispatch.Invoke<KeyMap>(typeof(KeyMap), nameof(LoadTyped), type.RawType, type, file, $"{context.Folder}/{name}");
    }

    private static PrimitiveDataViewType? ParseType(string name) => name switch
    {
        "String" => TextDataViewType.Instance,
        "Boolean" => BooleanDataViewType.Instance,
        _ => new[] { NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.Byte, NumberDataViewType.Int32,
            NumberDataViewType.UInt32, NumberDataViewType.Int64 }.FirstOrDefault(t => t.ToString() == name),
    };

    private static KeyMap TrainTyped<T>(IDataView data, DataViewSchema.Column column, int maximumNumberOfKeys, KeyOrdinality ordinality)
        where T : notnull
    {
        var itemType = ShapeChecks.ItemType(column.Type);
        var seen = new Dictionary<T, uint>();
        var values = new List<T>();
        using var cursor = data.GetRowCursor([column]);
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<T>>(column);
            VBuffer<T> buffer = default;
            while (values.Count < maximumNumberOfKeys && cursor.MoveNext())
            {
                getter(ref buffer);
                foreach (var v in buffer.GetValues())
                {
                    if (values.Count >= maximumNumberOfKeys)
                        break;
                    if (!KeyMap<T>.IsMissing(v) && seen.TryAdd(v, 0))
                        values.Add(v);
                }
            }
        }
        else
        {
            var getter = cursor.GetGetter<T>(column);
            T value = default!;
            while (values.Count < maximumNumberOfKeys && cursor.MoveNext())
            {
                getter(ref value);
                if (!KeyMap<T>.IsMissing(value) && seen.TryAdd(value, 0))
                    values.Add(value);
            }
        }
        if (values.Count == 0)
            throw new InvalidOperationException(
                $"MapValueToKey found no values in column '{column.Name}' (the data is empty or every value is missing), so it has no keys to make. Fit it on data with at least one value.");
        if (ordinality == KeyOrdinality.ByValue)
            values.Sort(typeof(T) == typeof(string) ? (IComparer<T>)StringComparer.Ordinal : Comparer<T>.Default);
        return new KeyMap<T>(itemType, [.. values]);
    }

    private static KeyMap LoadTyped<T>(PrimitiveDataViewType type, KeyMapFile file, string path) where T : notnull
    {
        T[]? values;
        try
        {
            values = file.Values.Deserialize<T[]>(ModelSaveContext.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidModelException($"Model entry '{path}' holds values that are not {type}: {e.Message}");
        }
        if (values is null || values.Length == 0 || values.Length != file.Count)
            throw new InvalidModelException($"Model entry '{path}' declares {file.Count} keys but holds {values?.Length ?? 0} values.");
        if (values.Any(KeyMap<T>.IsMissing) || values.Distinct().Count() != values.Length)
            throw new InvalidModelException($"Model entry '{path}' holds missing or repeated values; each key needs one distinct value.");
        return new KeyMap<T>(type, values);
    }

    internal sealed record KeyMapFile(string ItemType, int Count, JsonElement Values);
}

/// <summary>A key mapping over values of type <typeparamref name="T"/>.</summary>
internal sealed class KeyMap<T> : KeyMap where T : notnull
{
    private readonly T[] _values;
    private readonly Dictionary<T, uint> _keys;

    public KeyMap(PrimitiveDataViewType itemType, T[] values)
    {
        ItemType = itemType;
        _values = values;
        _keys = new Dictionary<T, uint>(values.Length);
        for (int i = 0; i < values.Length; i++)
            _keys.Add(values[i], (uint)(i + 1));
    }

    public override PrimitiveDataViewType ItemType { get; }

    public override int Count => _values.Length;

    /// <summary>NaN (Single, Double) and null text are missing: they get key 0 and are never learned.</summary>
    public static bool IsMissing(T value) => value switch
    {
        null => true,
        float f => float.IsNaN(f),
        double d => double.IsNaN(d),
        _ => false,
    };

    private uint KeyOf(T value) => !IsMissing(value) && _keys.TryGetValue(value, out var key) ? key : 0;

    public override Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input, bool isVector)
    {
        if (isVector)
        {
            var source = row.GetGetter<VBuffer<T>>(input);
            VBuffer<T> buffer = default;
            return (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> dst) =>
            {
                source(ref buffer);
                var src = buffer.GetValues();
                var keys = VBuffer<uint>.Edit(ref dst, src.Length);
                for (int i = 0; i < src.Length; i++)
                    keys[i] = KeyOf(src[i]);
            });
        }
        var getter = row.GetGetter<T>(input);
        T value = default!;
        return (ValueGetter<uint>)((ref uint dst) =>
        {
            getter(ref value);
            dst = KeyOf(value);
        });
    }

    public override DataViewSchema.Annotations AddKeyValues(DataViewSchema.Annotations annotations, bool asText)
    {
        if (asText)
        {
            var text = _values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
            return annotations.With(AnnotationKinds.KeyValues, new VectorDataViewType(TextDataViewType.Instance, text.Length),
                new VBuffer<string>(text.Length, text));
        }
        return annotations.With(AnnotationKinds.KeyValues, new VectorDataViewType(ItemType, _values.Length),
            new VBuffer<T>(_values.Length, [.. _values]));
    }

    public override void Save(ModelSaveContext context, string name) =>
        context.WriteJson(name, new KeyMapFile(ItemType.ToString()!, _values.Length, JsonSerializer.SerializeToElement(_values, ModelSaveContext.JsonOptions)));
}
