using MlNetDigits.Data;

namespace MlNetDigits.Prediction;

/// <summary>How a <see cref="PredictionEngine{TSrc, TDst}"/> maps its input and output classes to columns.</summary>
public sealed class PredictionEngineOptions
{
    /// <summary>
    /// The schema the model was trained on (what <c>context.Model.Load</c> returns). When given, input members take its
    /// column types and annotations (an image's shape, a key's values), so a <c>float[]</c> with <c>[VectorType(784)]</c>
    /// feeds a <c>Vector&lt;Single, 28, 28&gt;</c> image column.
    /// </summary>
    public DataViewSchema? InputSchema { get; set; }

    /// <summary>The input member-to-column mapping; by default read off the input class's attributes.</summary>
    public SchemaDefinition? InputSchemaDefinition { get; set; }

    /// <summary>The output member-to-column mapping; by default read off the output class's attributes.</summary>
    public SchemaDefinition? OutputSchemaDefinition { get; set; }

    /// <summary>
    /// Leave output members whose column the model does not produce at their default instead of throwing. Off by default,
    /// so a misspelt <c>[ColumnName]</c> is reported when the engine is made rather than silently giving zeros.
    /// </summary>
    public bool IgnoreMissingOutputColumns { get; set; }

    /// <summary>
    /// Give columns of <see cref="InputSchema"/> that the input class has no member for their default value (0, "", a zero
    /// vector) instead of throwing when the model reads them. Useful when the saved schema holds a label the model only
    /// passes through; a stage that really uses such a column then sees zeros.
    /// </summary>
    public bool SupplyMissingInputColumns { get; set; }
}
