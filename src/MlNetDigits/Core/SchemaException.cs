namespace MlNetDigits.Core;

/// <summary>
/// A column is missing or has the wrong type for a pipeline stage. Raised while the chain's schema is checked, before
/// anything is fitted; the message names the column, the stage, what was expected and what was found.
/// </summary>
public sealed class SchemaException : InvalidOperationException
{
    public SchemaException(string columnName, string expected, string? found, string? stage = null)
        : base(Describe(columnName, expected, found, stage))
    {
        ColumnName = columnName;
        Expected = expected;
        Found = found;
        Stage = stage;
    }

    /// <summary>The column at fault.</summary>
    public string ColumnName { get; }

    /// <summary>What the stage needs, e.g. "Vector&lt;Single&gt;".</summary>
    public string Expected { get; }

    /// <summary>What the schema holds, or null when the column is missing.</summary>
    public string? Found { get; }

    /// <summary>The stage that raised it, e.g. "stage 2 (NormalizeMinMax)", once the chain adds it.</summary>
    public string? Stage { get; }

    /// <summary>A copy that says which chain stage raised it.</summary>
    public SchemaException InStage(string stage) => new(ColumnName, Expected, Found, stage);

    private static string Describe(string column, string expected, string? found, string? stage)
    {
        var where = stage is null ? "" : $"{char.ToUpperInvariant(stage[0])}{stage[1..]}: ";
        return found is null
            ? $"{where}input column '{column}' not found; it must be {expected}."
            : $"{where}input column '{column}' is {found} but must be {expected}.";
    }
}
