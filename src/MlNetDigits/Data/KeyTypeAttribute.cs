namespace MlNetDigits.Data;

/// <summary>
/// Marks a <see cref="uint"/> field or property (or a <c>uint[]</c> vector) as a key column with <see cref="Count"/>
/// values: 1..Count index the values and 0 means missing, as in ML.NET.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class KeyTypeAttribute : Attribute
{
    /// <param name="count">The number of distinct key values, 1..uint.MaxValue.</param>
    public KeyTypeAttribute(ulong count)
    {
        if (count == 0 || count > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(count), count, "A key type needs a count between 1 and uint.MaxValue.");
        Count = count;
    }

    /// <summary>The number of distinct key values.</summary>
    public ulong Count { get; }
}
