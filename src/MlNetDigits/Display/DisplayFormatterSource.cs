namespace MlNetDigits.Display;

/// <summary>
/// The formatter source named by <see cref="TypeFormatterSourceAttribute"/> on the library's types: one HTML and one
/// plain-text formatter, both answered by <see cref="DisplayFormatters"/>.
/// </summary>
public sealed class DisplayFormatterSource
{
    /// <summary>The formatters, in .NET Interactive's convention-based shape.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new ConventionFormatter(MimeTypes.Html), new ConventionFormatter(MimeTypes.PlainText)];

    /// <summary>A formatter in .NET Interactive's convention: a MIME type and <c>Format(object, TextWriter)</c>.</summary>
    public sealed class ConventionFormatter(string mimeType)
    {
        public string MimeType { get; } = mimeType;

        /// <summary>Writes <paramref name="instance"/> as <see cref="MimeType"/>; false when no formatter is registered for it.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            if (MimeType == MimeTypes.PlainText)
            {
                writer.Write(DisplayFormatters.TryFormat(instance, MimeType, out var plain) ? plain : DisplayFormatters.ToPlainText(instance));
                return true;
            }
            if (!DisplayFormatters.TryFormat(instance, MimeType, out var text))
                return false;
            writer.Write(text);
            return true;
        }
    }
}
