namespace MlNetDigits.Data;

/// <summary>Excludes a public field or property of a row class from the columns it maps to.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class NoColumnAttribute : Attribute
{
}
