using System.ComponentModel;

namespace MlNetDigits;

/// <summary>
/// Shows a <see cref="Chart"/> in a notebook: as an SVG image (<c>image/svg+xml</c>) and, for front ends without
/// images, as its plain-text description. .NET Interactive creates it through <see cref="TypeFormatterSourceAttribute"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ChartFormatterSource
{
    /// <summary>The formatters, in .NET Interactive's convention-based shape.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new Formatter(Chart.SvgMimeType), new Formatter("text/plain")];

    /// <summary>One MIME type: <see cref="MimeType"/> and <see cref="Format"/>, as .NET Interactive calls them.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class Formatter(string mimeType)
    {
        /// <summary>The MIME type written by <see cref="Format"/>.</summary>
        public string MimeType { get; } = mimeType;

        /// <summary>The type formatted (charts).</summary>
        public Type Type => typeof(Chart);

        /// <summary>Writes <paramref name="instance"/> as <see cref="MimeType"/>; false when it is not a chart.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            if (instance is not Chart chart)
                return false;
            writer.Write(MimeType == Chart.SvgMimeType ? chart.ToSvg() : chart.ToString());
            return true;
        }
    }
}
