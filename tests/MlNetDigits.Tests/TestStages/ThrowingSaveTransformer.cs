using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Tests.TestStages;

/// <summary>A test-only identity stage whose Save writes an entry and then fails, to check that saving is atomic.</summary>
[ModelStage("Test.ThrowingSave")]
public sealed class ThrowingSaveTransformer : RowToRowTransformerBase
{
    protected override IReadOnlyList<OutputColumn> GetOutputColumns(DataViewSchema inputSchema) => [];

    protected override IEnumerable<string> GetDependencies(DataViewSchema inputSchema, int outputIndex) => [];

    protected override Delegate MakeGetter(DataViewRow input, int outputIndex) =>
        throw new InvalidOperationException("ThrowingSaveTransformer adds no columns.");

    public override void Save(ModelSaveContext context)
    {
        context.WriteText("partial.txt", "written before the failure");
        throw new IOException("Simulated failure while saving a stage.");
    }

    public static ThrowingSaveTransformer Load(ModelLoadContext context) => new();
}
