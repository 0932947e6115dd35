namespace MlNetDigits.Display;

/// <summary>
/// .NET Interactive's convention for formatters without a package reference: on a type, names a class whose
/// <c>CreateTypeFormatters()</c> returns objects with <c>MimeType</c> and <c>bool Format(object, TextWriter)</c>.
/// Polyglot Notebooks finds the attribute by its name, so the library need not reference .NET Interactive.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = true)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types .NET Interactive should prefer for the type (HTML).</summary>
    public string[] PreferredMimeTypes { get; set; } = [MimeTypes.Html];
}
