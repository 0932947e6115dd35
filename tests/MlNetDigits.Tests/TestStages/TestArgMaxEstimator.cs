using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Tests.TestStages;

/// <summary>
/// A test-only estimator whose transformer adds a key column (1..K) holding the arg-max slot of a Vector&lt;Single, K&gt;
/// column, with KeyValues annotation "s0".."s{K-1}": it exercises key types and annotations in schema shapes and model files.
/// </summary>
public sealed class TestArgMaxEstimator(string outputColumnName, string inputColumnName) : IEstimator<TestArgMaxTransformer>
{
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!inputSchema.TryFindColumn(inputColumnName, out var input))
            throw new SchemaException(inputColumnName, "Vector<Single, K>", null);
        if (input.Kind != ColumnKind.Vector || input.ItemType != NumberDataViewType.Single || input.Size is null)
            throw new SchemaException(inputColumnName, "Vector<Single, K>", input.DescribeType());
        return inputSchema.With(SchemaShape.Column.Scalar(outputColumnName, new KeyDataViewType((ulong)input.Size.Value), AnnotationKinds.KeyValues));
    }

    public TestArgMaxTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new TestArgMaxTransformer(outputColumnName, inputColumnName, ((VectorDataViewType)input.Schema[inputColumnName].Type).Size);
    }
}

/// <summary>Adds the 1-based arg-max slot of a vector as a key.</summary>
[ModelStage("Test.ArgMax")]
public sealed class TestArgMaxTransformer(string outputColumnName, string inputColumnName, int size) : RowToRowTransformerBase
{
    protected override IReadOnlyList<OutputColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        RequireColumn(inputSchema, inputColumnName, $"Vector<Single, {size}>",
            t => t is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && v.Size == size);
        var names = Enumerable.Range(0, size).Select(i => $"s{i}").ToArray();
        var annotations = DataViewSchema.Annotations.Empty.With(AnnotationKinds.KeyValues,
            new VectorDataViewType(TextDataViewType.Instance, size), new VBuffer<string>(size, names));
        return [new OutputColumn(outputColumnName, new KeyDataViewType((ulong)size), annotations)];
    }

    protected override IEnumerable<string> GetDependencies(DataViewSchema inputSchema, int outputIndex) => [inputColumnName];

    protected override Delegate MakeGetter(DataViewRow input, int outputIndex)
    {
        var get = input.GetGetter<VBuffer<float>>(input.Schema[inputColumnName]);
        var source = default(VBuffer<float>);
        return (ValueGetter<uint>)((ref uint value) =>
        {
            get(ref source);
            var x = source.GetValues();
            int best = 0;
            for (int i = 1; i < x.Length; i++)
                if (x[i] > x[best])
                    best = i;
            value = (uint)best + 1;
        });
    }

    public override void Save(ModelSaveContext context) =>
        context.WriteJson("argmax.json", new Settings(outputColumnName, inputColumnName, size));

    public static TestArgMaxTransformer Load(ModelLoadContext context)
    {
        var s = context.ReadJson<Settings>("argmax.json");
        return new TestArgMaxTransformer(s.Output, s.Input, s.Size);
    }

    private sealed record Settings(string Output, string Input, int Size);
}
