using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Transforms;

/// <summary><c>Concatenate</c> on <see cref="TransformsCatalog"/>.</summary>
public static class ColumnConcatenatingCatalog
{
    /// <summary>
    /// Joins scalar and vector columns of one item type into a vector, in the order given. Slot names follow ML.NET: a
    /// scalar contributes its column name, a vector with slot names contributes "column.slot", other slots are unnamed.
    /// A single vector input is copied unchanged (same dimensions and annotations).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The vector column to add.</param>
    /// <param name="inputColumnNames">The columns to join, at least one.</param>
    public static ColumnConcatenatingEstimator Concatenate(this TransformsCatalog catalog, string outputColumnName, params string[] inputColumnNames)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ColumnConcatenatingEstimator(outputColumnName, inputColumnNames);
    }
}

/// <summary>Checks the columns to join and produces a <see cref="ColumnConcatenatingTransformer"/>; learns nothing.</summary>
public sealed class ColumnConcatenatingEstimator : IEstimator<ColumnConcatenatingTransformer>
{
    private readonly string _outputColumnName;
    private readonly string[] _inputColumnNames;

    internal ColumnConcatenatingEstimator(string outputColumnName, string[] inputColumnNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        if (inputColumnNames.Length == 0 || inputColumnNames.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Concatenate needs at least one input column name, none of them empty.", nameof(inputColumnNames));
        _outputColumnName = outputColumnName;
        _inputColumnNames = [.. inputColumnNames];
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var first = ShapeChecks.Require(inputSchema, _inputColumnNames[0], "a scalar or vector column", _ => true);
        var expected = $"{first.ItemType}{(first.IsKey ? " (key)" : "")} or a vector of it, like '{first.Name}'";
        var inputs = _inputColumnNames.Select(name => ShapeChecks.Require(inputSchema, name, expected,
            c => c.IsKey == first.IsKey && (first.IsKey ? c.KeyCount == first.KeyCount : c.ItemType.Equals(first.ItemType)))).ToArray();
        if (inputs.Length == 1 && first.Kind == ColumnKind.Vector)
            return inputSchema.With(first with { Name = _outputColumnName });

        int? size = inputs.All(c => c.Kind == ColumnKind.Scalar || c.Size is not null)
            ? inputs.Sum(c => c.Kind == ColumnKind.Scalar ? 1 : c.Size!.Value)
            : null;
        var annotations = new List<string>();
        if (inputs.Any(c => c.Kind == ColumnKind.Scalar || c.AnnotationKinds.Contains(AnnotationKinds.SlotNames)))
            annotations.Add(AnnotationKinds.SlotNames);
        if (inputs.All(c => c.AnnotationKinds.Contains(AnnotationKinds.IsNormalized)))
            annotations.Add(AnnotationKinds.IsNormalized);
        return inputSchema.With(new SchemaShape.Column(_outputColumnName, ColumnKind.Vector, first.ItemType, first.IsKey,
            size is { } s ? [s] : [], [.. annotations]));
    }

    public ColumnConcatenatingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new ColumnConcatenatingTransformer(_outputColumnName, _inputColumnNames);
    }
}

/// <summary>Joins its input columns, row by row, into one vector column.</summary>
[ModelStage("Concatenate")]
public sealed class ColumnConcatenatingTransformer : RowToRowTransformerBase
{
    private readonly string[] _inputColumnNames;

    internal ColumnConcatenatingTransformer(string outputColumnName, string[] inputColumnNames)
    {
        OutputColumnName = outputColumnName;
        _inputColumnNames = inputColumnNames;
    }

    /// <summary>The column this transformer adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>The columns it joins, in order.</summary>
    public IReadOnlyList<string> InputColumnNames => _inputColumnNames;

    protected override IReadOnlyList<OutputColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        var inputs = GetInputs(inputSchema);
        var first = inputs[0];
        if (inputs.Length == 1 && first.Type is VectorDataViewType)
            return [new OutputColumn(OutputColumnName, first.Type, first.Annotations)];

        var itemType = ShapeChecks.ItemType(first.Type);
        var size = inputs.Sum(c => c.Type is VectorDataViewType v ? v.Size : 1);
        var annotations = DataViewSchema.Annotations.Empty;
        if (inputs.Any(c => c.Type is not VectorDataViewType || c.Annotations.GetTypeOrNull(AnnotationKinds.SlotNames) is not null))
        {
            var names = SlotNames(inputs, size);
            annotations = annotations.With(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, size),
                new VBuffer<string>(size, names));
        }
        if (inputs.All(c => c.Annotations.GetTypeOrNull(AnnotationKinds.IsNormalized) is not null))
            annotations = annotations.With(AnnotationKinds.IsNormalized, BooleanDataViewType.Instance, true);
        return [new OutputColumn(OutputColumnName, new VectorDataViewType(itemType, size), annotations)];
    }

    protected override IEnumerable<string> GetDependencies(DataViewSchema inputSchema, int outputIndex) => _inputColumnNames;

    protected override Delegate MakeGetter(DataViewRow input, int outputIndex)
    {
        var inputs = GetInputs(input.Schema);
        if (inputs.Length == 1 && inputs[0].Type is VectorDataViewType)
            return GenericDispatch.Invoke<Delegate>(typeof(ColumnConcatenatingTransformer), nameof(CopyGetter), inputs[0].Type.RawType, input, inputs[0]);
        return GenericDispatch.Invoke<Delegate>(typeof(ColumnConcatenatingTransformer), nameof(MakeGetterTyped),
            ShapeChecks.ItemType(inputs[0].Type).RawType, input, inputs);
    }

    private DataViewSchema.Column[] GetInputs(DataViewSchema schema)
    {
        var first = schema.GetColumnOrNull(_inputColumnNames[0])
            ?? throw new SchemaException(_inputColumnNames[0], "a scalar or vector column", null);
        var itemType = ShapeChecks.ItemType(first.Type);
        var expected = $"{itemType} or a vector of it, like '{first.Name}'";
        return [.. _inputColumnNames.Select(name =>
        {
            var column = schema.GetColumnOrNull(name) ?? throw new SchemaException(name, expected, null);
            if (!ShapeChecks.ItemType(column.Type).Equals(itemType))
                throw new SchemaException(name, expected, column.Type.ToString());
            return column;
        })];
    }

    /// <summary>ML.NET's slot names: a scalar's column name, "column.slot" for a named vector slot, "" otherwise.</summary>
    private static string[] SlotNames(DataViewSchema.Column[] inputs, int size)
    {
        var names = new string[size];
        int at = 0;
        foreach (var c in inputs)
        {
            if (c.Type is not VectorDataViewType v)
            {
                names[at++] = c.Name;
                continue;
            }
            var has = c.Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var slotNames) && slotNames.Length == v.Size;
            var slots = has ? slotNames.GetValues() : default;
            for (int i = 0; i < v.Size; i++)
                names[at++] = has && !string.IsNullOrEmpty(slots[i]) ? $"{c.Name}.{slots[i]}" : "";
        }
        return names;
    }

    private static Delegate CopyGetter<TValue>(DataViewRow row, DataViewSchema.Column input) => row.GetGetter<TValue>(input);

    private static Delegate MakeGetterTyped<T>(DataViewRow row, DataViewSchema.Column[] inputs)
    {
        var size = inputs.Sum(c => c.Type is VectorDataViewType v ? v.Size : 1);
        var scalarGetters = new ValueGetter<T>?[inputs.Length];
        var vectorGetters = new ValueGetter<VBuffer<T>>?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].Type is VectorDataViewType)
                vectorGetters[i] = row.GetGetter<VBuffer<T>>(inputs[i]);
            else
                scalarGetters[i] = row.GetGetter<T>(inputs[i]);
        }
        var buffers = new VBuffer<T>[inputs.Length];
        T scalar = default!;
        return (ValueGetter<VBuffer<T>>)((ref VBuffer<T> dst) =>
        {
            var output = VBuffer<T>.Edit(ref dst, size);
            int at = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                if (vectorGetters[i] is { } vector)
                {
                    vector(ref buffers[i]);
                    buffers[i].GetValues().CopyTo(output[at..]);
                    at += buffers[i].Length;
                }
                else
                {
                    scalarGetters[i]!(ref scalar);
                    output[at++] = scalar;
                }
            }
        });
    }

    public override void Save(ModelSaveContext context) =>
        context.WriteJson("transform.json", new Header(OutputColumnName, _inputColumnNames));

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static ColumnConcatenatingTransformer Load(ModelLoadContext context)
    {
        var header = context.ReadJson<Header>("transform.json");
        if (string.IsNullOrEmpty(header.OutputColumnName) || header.InputColumnNames is not { Length: > 0 })
            throw new InvalidModelException($"Model entry '{context.Folder}/transform.json' must name an output column and at least one input column.");
        return new ColumnConcatenatingTransformer(header.OutputColumnName, header.InputColumnNames);
    }

    private sealed record Header(string OutputColumnName, string[] InputColumnNames);
}
