namespace MlNetDigits;

/// <summary>
/// .NET Interactive's convention for formatters in a library that does not reference it: on a type, names a class
/// whose <c>CreateTypeFormatters()</c> returns objects with <c>MimeType</c> and <c>bool Format(object, TextWriter)</c>.
/// Polyglot Notebooks finds the attribute by its name (not its namespace or assembly) on the displayed value's class
/// and base classes, and prefers <see cref="PreferredMimeTypes"/> for it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The class .NET Interactive instantiates to get the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types a notebook shows the type as, richest first.</summary>
    public string[] PreferredMimeTypes { get; set; } = [];
}
