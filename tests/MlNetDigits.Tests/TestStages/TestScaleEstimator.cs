using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Tests.TestStages;

/// <summary>
/// A test-only estimator that learns one scale per slot of a Vector&lt;Single&gt; column (1 / max |x|, or 1 for an
/// all-zero slot) and adds a column of the scaled vector. Small, but it learns, saves binary parameters and checks its input.
/// </summary>
public sealed class TestScaleEstimator(string outputColumnName, string inputColumnName) : IEstimator<TestScaleTransformer>
{
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!inputSchema.TryFindColumn(inputColumnName, out var input))
            throw new SchemaException(inputColumnName, "Vector<Single>", null);
        if (input.Kind != ColumnKind.Vector || input.ItemType != NumberDataViewType.Single)
            throw new SchemaException(inputColumnName, "Vector<Single>", input.DescribeType());
        return inputSchema.With(SchemaShape.Column.Vector(outputColumnName, NumberDataViewType.Single,
            input.Dimensions.IsDefaultOrEmpty ? null : [.. input.Dimensions]));
    }

    public TestScaleTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var column = input.Schema[inputColumnName];
        var size = ((VectorDataViewType)column.Type).Size;
        var maxAbs = new float[size];
        using (var cursor = input.GetRowCursor([column]))
        {
            var get = cursor.GetGetter<VBuffer<float>>(column);
            var row = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                get(ref row);
                var values = row.GetValues();
                for (int i = 0; i < size; i++)
                    maxAbs[i] = Math.Max(maxAbs[i], Math.Abs(values[i]));
            }
        }
        return new TestScaleTransformer(outputColumnName, inputColumnName, [.. maxAbs.Select(m => m == 0 ? 1f : 1f / m)]);
    }
}

/// <summary>Multiplies each slot of a Vector&lt;Single&gt; column by a learned scale.</summary>
[ModelStage("Test.Scale")]
public sealed class TestScaleTransformer(string outputColumnName, string inputColumnName, float[] scales) : RowToRowTransformerBase
{
    public IReadOnlyList<float> Scales => scales;

    protected override IReadOnlyList<OutputColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        var input = RequireColumn(inputSchema, inputColumnName, $"Vector<Single, {scales.Length}>",
            t => t is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && v.Size == scales.Length);
        return [new OutputColumn(outputColumnName, input.Type)];
    }

    protected override IEnumerable<string> GetDependencies(DataViewSchema inputSchema, int outputIndex) => [inputColumnName];

    protected override Delegate MakeGetter(DataViewRow input, int outputIndex)
    {
        var get = input.GetGetter<VBuffer<float>>(input.Schema[inputColumnName]);
        var source = default(VBuffer<float>);
        return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            get(ref source);
            var x = source.GetValues();
            var y = VBuffer<float>.Edit(ref value, scales.Length);
            for (int i = 0; i < y.Length; i++)
                y[i] = x[i] * scales[i];
        });
    }

    public override void Save(ModelSaveContext context)
    {
        context.WriteJson("columns.json", new Columns(outputColumnName, inputColumnName));
        // scales.bin: Int32 count, then count Single scales (little-endian).
        context.WriteBinary("scales.bin", w =>
        {
            w.Write(scales.Length);
            foreach (var s in scales)
                w.Write(s);
        });
    }

    public static TestScaleTransformer Load(ModelLoadContext context)
    {
        var columns = context.ReadJson<Columns>("columns.json");
        var scales = context.ReadBinary("scales.bin", r =>
        {
            var n = r.ReadInt32();
            if (n is < 0 or > 1_000_000)
                throw new InvalidModelException($"Model entry '{context.Folder}/scales.bin' claims {n} scales.");
            var values = new float[n];
            for (int i = 0; i < n; i++)
                values[i] = r.ReadSingle();
            return values;
        });
        return new TestScaleTransformer(columns.Output, columns.Input, scales);
    }

    private sealed record Columns(string Output, string Input);
}
