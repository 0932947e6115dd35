using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MlNetDigits.Tests.Display;

/// <summary>Helpers that read the HTML the formatters write: the SVG documents in it, the images, the text.</summary>
internal static partial class Markup
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Every &lt;svg&gt; element in <paramref name="html"/>, parsed as XML (throws if one is not well-formed).</summary>
    public static List<XElement> SvgDocuments(string html) =>
        [.. SvgElement().Matches(html).Select(m => XElement.Parse(m.Value))];

    /// <summary>The whole fragment parsed as XML (the renderers write well-formed XHTML).</summary>
    public static XElement Parse(string html) => XElement.Parse($"<root>{html}</root>");

    /// <summary>The PNG bytes of every data-URI image in <paramref name="html"/>.</summary>
    public static List<byte[]> Images(string html) =>
        [.. DataUri().Matches(html).Select(m => Convert.FromBase64String(m.Groups[1].Value))];

    [GeneratedRegex("<svg[\\s\\S]*?</svg>")]
    private static partial Regex SvgElement();

    [GeneratedRegex("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex DataUri();
}
