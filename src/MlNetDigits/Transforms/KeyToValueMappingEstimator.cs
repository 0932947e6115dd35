using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Transforms;

/// <summary><c>MapKeyToValue</c> on <see cref="TransformsCatalog"/>.</summary>
public static class KeyToValueMappingCatalog
{
    /// <summary>
    /// Maps a key column (scalar or vector) back to the values in its KeyValues annotation: key k gives the k-th value; key 0
    /// (missing) gives NaN for Single and Double, empty text, false, or 0 for integer types.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column to add.</param>
    /// <param name="inputColumnName">The key column to read; defaults to <paramref name="outputColumnName"/>.</param>
    public static KeyToValueMappingEstimator MapKeyToValue(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KeyToValueMappingEstimator(outputColumnName, inputColumnName);
    }
}

/// <summary>Checks that a key column has key values and produces a <see cref="KeyToValueMappingTransformer"/>; learns nothing.</summary>
public sealed class KeyToValueMappingEstimator : IEstimator<KeyToValueMappingTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;

    internal KeyToValueMappingEstimator(string outputColumnName, string? inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrEmpty(inputColumnName) ? outputColumnName : inputColumnName;
    }

    internal const string ExpectedInput = "a key column (scalar or vector) with a KeyValues annotation";

    /// <summary>
    /// The output takes the item type of the input's key values when a stage upstream recorded it
    /// (<see cref="SchemaShape.Column.KeyValuesItemType"/>); otherwise it is predicted as UInt32, the type of the digit labels.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var input = ShapeChecks.Require(inputSchema, _inputColumnName, ExpectedInput, c => c.IsKey);
        if (!input.AnnotationKinds.Contains(AnnotationKinds.KeyValues))
            throw new SchemaException(_inputColumnName, ExpectedInput, $"{input.DescribeType()} (key) without a KeyValues annotation");
        var itemType = input.KeyValuesItemType ?? NumberDataViewType.UInt32;
        var annotations = input.Kind == ColumnKind.Vector ? ShapeChecks.Keep(input.AnnotationKinds, AnnotationKinds.SlotNames) : [];
        return inputSchema.With(new SchemaShape.Column(_outputColumnName, input.Kind, itemType, IsKey: false, input.Dimensions, [.. annotations]));
    }

    public KeyToValueMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var transformer = new KeyToValueMappingTransformer(_outputColumnName, _inputColumnName);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }
}

/// <summary>Replaces keys by the values of the input column's KeyValues annotation (read from the input schema).</summary>
[ModelStage("MapKeyToValue")]
public sealed class KeyToValueMappingTransformer : OneToOneTransformerBase
{
    internal KeyToValueMappingTransformer(string outputColumnName, string inputColumnName) : base(outputColumnName, inputColumnName) { }

    private protected override string DescribeExpectedInput() => KeyToValueMappingEstimator.ExpectedInput;

    private protected override OutputColumn GetOutputColumn(DataViewSchema.Column input)
    {
        var (_, valuesType) = GetKeyValues(input);
        var annotations = DataViewSchema.Annotations.Empty;
        if (input.Type is VectorDataViewType vector)
        {
            if (input.Annotations.GetTypeOrNull(AnnotationKinds.SlotNames) is { } slotNamesType
                && input.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var slotNames))
                annotations = annotations.With(AnnotationKinds.SlotNames, slotNamesType, slotNames);
            return new OutputColumn(OutputColumnName, new VectorDataViewType(valuesType.ItemType, [.. vector.Dimensions]), annotations);
        }
        return new OutputColumn(OutputColumnName, valuesType.ItemType, annotations);
    }

    private protected override Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input)
    {
        var (_, valuesType) = GetKeyValues(input);
        return GenericDispatch.Invoke<Delegate>(typeof(KeyToValueMappingTransformer), nameof(MakeGetterTyped), valuesType.ItemType.RawType,
            row, input);
    }

    /// <summary>The key type and KeyValues annotation type of <paramref name="input"/>, or a <see cref="SchemaException"/>.</summary>
    private (KeyDataViewType Key, VectorDataViewType Values) GetKeyValues(DataViewSchema.Column input)
    {
        if (ShapeChecks.ItemType(input.Type) is not KeyDataViewType key)
            throw new SchemaException(InputColumnName, KeyToValueMappingEstimator.ExpectedInput, input.Type.ToString());
        if (input.Annotations.GetTypeOrNull(AnnotationKinds.KeyValues) is not VectorDataViewType values)
            throw new SchemaException(InputColumnName, KeyToValueMappingEstimator.ExpectedInput, $"{input.Type} without a KeyValues annotation");
        if ((ulong)values.Size != key.Count)
            throw new SchemaException(InputColumnName, $"a KeyValues annotation with one value per key ({key.Count})", $"{values.Size} values");
        return (key, values);
    }

    private static Delegate MakeGetterTyped<T>(DataViewRow row, DataViewSchema.Column input)
    {
        input.Annotations.TryGetValue<VBuffer<T>>(AnnotationKinds.KeyValues, out var annotation);
        var values = annotation.ToArray();
        var missing = MissingValue<T>();
        if (input.Type is VectorDataViewType)
        {
            var source = row.GetGetter<VBuffer<uint>>(input);
            VBuffer<uint> keys = default;
            return (ValueGetter<VBuffer<T>>)((ref VBuffer<T> dst) =>
            {
                source(ref keys);
                var src = keys.GetValues();
                var output = VBuffer<T>.Edit(ref dst, src.Length);
                for (int i = 0; i < src.Length; i++)
                    output[i] = src[i] == 0 || src[i] > values.Length ? missing : values[src[i] - 1];
            });
        }
        var getter = row.GetGetter<uint>(input);
        uint key = 0;
        return (ValueGetter<T>)((ref T dst) =>
        {
            getter(ref key);
            dst = key == 0 || key > values.Length ? missing : values[key - 1];
        });
    }

    /// <summary>What key 0 maps to: NaN for floating point, empty text, otherwise the type's default.</summary>
    private static T MissingValue<T>() =>
        typeof(T) == typeof(float) ? (T)(object)float.NaN
        : typeof(T) == typeof(double) ? (T)(object)double.NaN
        : typeof(T) == typeof(string) ? (T)(object)""
        : default!;

    public override void Save(ModelSaveContext context) =>
        context.WriteJson("transform.json", new Header(OutputColumnName, InputColumnName));

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static KeyToValueMappingTransformer Load(ModelLoadContext context)
    {
        var header = context.ReadJson<Header>("transform.json");
        return new KeyToValueMappingTransformer(header.OutputColumnName, header.InputColumnName);
    }

    private sealed record Header(string OutputColumnName, string InputColumnName);
}
