namespace MlNetDigits.Data;

/// <summary>
/// Names the data view column a field or property of a row class maps to (by default the member's own name), for
/// <c>LoadFromEnumerable</c> and <c>CreateEnumerable</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ColumnNameAttribute : Attribute
{
    public ColumnNameAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }
}
