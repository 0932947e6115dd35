namespace MlNetDigits.Display;

/// <summary>
/// Digit images in a grid: either a flat list wrapped every <see cref="Columns"/> images, or labelled rows (one row per
/// class, say). Rendered as an HTML table of inline PNGs.
/// </summary>
[TypeFormatterSource(typeof(DisplayFormatterSource))]
public sealed class DigitGrid : IHtmlContent
{
    private readonly List<(string? Label, IReadOnlyList<DigitImage> Images)> _rows = [];

    /// <summary>A grid of <paramref name="images"/>, <paramref name="columns"/> to a row.</summary>
    public DigitGrid(IEnumerable<DigitImage> images, int columns = 10)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        Columns = columns;
        foreach (var chunk in images.Chunk(columns))
            _rows.Add((null, chunk));
    }

    /// <summary>An empty grid to fill with <see cref="AddRow"/>.</summary>
    public DigitGrid() => Columns = 0;

    /// <summary>Images per row of a wrapped grid (0 for a grid built row by row).</summary>
    public int Columns { get; }

    /// <summary>A title above the grid; null for none.</summary>
    public string? Title { get; set; }

    /// <summary>The number of images.</summary>
    public int Count => _rows.Sum(r => r.Images.Count);

    /// <summary>Adds a row of <paramref name="images"/> headed by <paramref name="label"/>.</summary>
    public DigitGrid AddRow(string? label, IEnumerable<DigitImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        _rows.Add((label, [.. images]));
        return this;
    }

    public string ToHtml()
    {
        var html = new System.Text.StringBuilder();
        if (Title is not null)
            html.Append("<div style=\"font-weight:bold;font-family:sans-serif\">").Append(Html.Encode(Title)).Append("</div>");
        html.Append("<table style=\"border-collapse:collapse\">");
        foreach (var (label, images) in _rows)
        {
            html.Append("<tr>");
            if (_rows.Any(r => r.Label is not null))
                html.Append("<th style=\"font-family:monospace;padding:2px 6px;text-align:right\">").Append(Html.Encode(label)).Append("</th>");
            foreach (var image in images)
                html.Append("<td style=\"padding:1px;text-align:center;vertical-align:top\">").Append(image.ToHtml()).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    public override string ToString() => $"DigitGrid: {Count} images in {_rows.Count} rows";
}
