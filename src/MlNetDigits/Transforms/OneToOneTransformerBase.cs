using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Transforms;

/// <summary>
/// Base of the transformers that compute one output column from one input column of the same row (normalisers, key
/// mappings, pixel scaling): the input column name, the output column name, and the dependency between them.
/// </summary>
public abstract class OneToOneTransformerBase : RowToRowTransformerBase
{
    private protected OneToOneTransformerBase(string outputColumnName, string? inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        OutputColumnName = outputColumnName;
        InputColumnName = string.IsNullOrEmpty(inputColumnName) ? outputColumnName : inputColumnName;
    }

    /// <summary>The column this transformer adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column it reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The added column for <paramref name="input"/>, the input column (throws <see cref="SchemaException"/> when it does not fit).</summary>
    private protected abstract OutputColumn GetOutputColumn(DataViewSchema.Column input);

    /// <summary>A getter for the output column reading <paramref name="input"/> from <paramref name="row"/>.</summary>
    private protected abstract Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input);

    protected sealed override IReadOnlyList<OutputColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        var input = inputSchema.GetColumnOrNull(InputColumnName)
            ?? throw new SchemaException(InputColumnName, DescribeExpectedInput(), null);
        return [GetOutputColumn(input)];
    }

    protected sealed override IEnumerable<string> GetDependencies(DataViewSchema inputSchema, int outputIndex) => [InputColumnName];

    protected sealed override Delegate MakeGetter(DataViewRow input, int outputIndex) =>
        MakeGetter(input, input.Schema[InputColumnName]);

    /// <summary>What the input column must be, for error messages (e.g. "Single or a vector of Single").</summary>
    private protected abstract string DescribeExpectedInput();
}
