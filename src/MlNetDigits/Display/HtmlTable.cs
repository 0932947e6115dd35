using System.Reflection;
using System.Text;

namespace MlNetDigits.Display;

/// <summary>
/// A table for display: headers and rows of values. Numbers are shown in the invariant culture (four decimals for
/// fractions), and cells holding HTML content (a <see cref="DigitImage"/>, a chart) are rendered as HTML.
/// </summary>
[TypeFormatterSource(typeof(DisplayFormatterSource))]
public sealed class HtmlTable : IHtmlContent
{
    public HtmlTable(IEnumerable<string> headers, IEnumerable<IEnumerable<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        Headers = [.. headers];
        Rows = [.. rows.Select(r => (IReadOnlyList<object?>)[.. r])];
        foreach (var row in Rows)
            if (row.Count != Headers.Count)
                throw new ArgumentException($"Every row needs {Headers.Count} cells, one per header; found a row of {row.Count}.", nameof(rows));
    }

    /// <summary>A table of <paramref name="items"/>, one column per public readable property of <typeparamref name="T"/>.</summary>
    public static HtmlTable From<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        return new HtmlTable(properties.Select(p => p.Name), items.Select(item => properties.Select(p => p.GetValue(item))));
    }

    public IReadOnlyList<string> Headers { get; }

    public IReadOnlyList<IReadOnlyList<object?>> Rows { get; }

    /// <summary>A caption above the table; null for none.</summary>
    public string? Caption { get; set; }

    public string ToHtml()
    {
        var html = new StringBuilder($"<table style=\"{Html.TableStyle}\">");
        if (Caption is not null)
            html.Append("<caption style=\"font-weight:bold;font-family:sans-serif\">").Append(Html.Encode(Caption)).Append("</caption>");
        html.Append("<thead><tr>");
        foreach (var h in Headers)
            html.Append($"<th style=\"{Html.HeaderStyle}\">").Append(Html.Encode(h)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
                html.Append($"<td style=\"{Html.CellStyle}\">").Append(Html.Cell(cell)).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The table as aligned plain text.</summary>
    public override string ToString()
    {
        var cells = Rows.Select(r => r.Select(c => c switch
        {
            null => "",
            double d => Html.Number(d),
            float f => Html.Number(f),
            _ => DisplayFormatters.ToPlainText(c),
        }).ToArray()).ToArray();
        var widths = Headers.Select((h, i) => Math.Max(h.Length, cells.Length == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        if (Caption is not null)
            text.AppendLine(Caption);
        text.AppendLine(string.Join("  ", Headers.Select((h, i) => h.PadLeft(widths[i]))));
        foreach (var row in cells)
            text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadLeft(widths[i]))));
        return text.ToString();
    }
}
