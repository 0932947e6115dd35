using System.Text;
using MlNetDigits.Data;

namespace MlNetDigits.Display;

/// <summary>
/// HTML for data views, previews and schemas: a table with one column per visible column (name and type in the header),
/// image columns as inline pictures, short vectors (scores) as numbers, keys with the value they stand for.
/// </summary>
internal static class DataViewHtml
{
    /// <summary>Rows a displayed data view shows.</summary>
    public const int RowsShown = 10;

    /// <summary>A vector this short is shown in full (scores over 10 classes); longer ones are abbreviated.</summary>
    public const int ShortVector = 12;

    public static string Render(IDataView data)
    {
        var preview = data.Preview(RowsShown);
        var count = data.GetRowCount();
        var footer = count is { } n
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{preview.RowView.Length} of {n:N0} rows")
            : $"the first {preview.RowView.Length} rows (the row count is not known without reading the view)";
        return Render(preview, footer);
    }

    /// <summary>The view as text: its type, row count and the preview's text of its first rows.</summary>
    public static string RenderText(IDataView data) =>
        $"{data.GetType().Name} ({(data.GetRowCount() is { } n ? $"{n} rows" : "row count unknown")}): " + data.Preview(5);

    public static string Render(DataDebuggerPreview preview) => Render(preview, $"{preview.RowView.Length} rows");

    private static string Render(DataDebuggerPreview preview, string footer)
    {
        var html = new StringBuilder($"<table style=\"{Html.TableStyle}\"><thead><tr><th style=\"{Html.HeaderStyle}\">#</th>");
        foreach (var c in preview.ColumnView)
            html.Append($"<th style=\"{Html.HeaderStyle}\">{Html.Encode(c.Column.Name)}<br/><span style=\"font-weight:normal;color:#666\">{Html.Encode(c.Column.Type.ToString())}</span></th>");
        html.Append("</tr></thead><tbody>");
        for (int r = 0; r < preview.RowView.Length; r++)
        {
            html.Append($"<tr><td style=\"{Html.CellStyle};color:#666\">{r}</td>");
            foreach (var c in preview.ColumnView)
                html.Append($"<td style=\"{Html.CellStyle}\">").Append(RenderValue(c.Column, c.Values[r])).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        html.Append($"<div style=\"font-family:sans-serif;font-size:11px;color:#666\">{Html.Encode(footer)}</div>");
        return html.ToString();
    }

    public static string Render(DataViewSchema schema)
    {
        var table = new HtmlTable(["Column", "Type", "Annotations"],
            schema.Where(c => !c.IsHidden).Select(c => new object?[] { c.Name, c.Type.ToString(), DescribeAnnotations(c.Annotations) }));
        return table.ToHtml();
    }

    /// <summary>A predicted schema (before fitting): name, type, key count when known, annotation names.</summary>
    public static string Render(Core.SchemaShape shape)
    {
        var table = new HtmlTable(["Column", "Type", "Key", "Annotations"],
            shape.Select(c => new object?[] { c.Name, c.DescribeType(), c.IsKey ? (c.KeyCount > 0 ? $"{c.KeyCount} values" : "count known after fitting") : "", string.Join(", ", c.AnnotationKinds) }));
        return table.ToHtml();
    }

    /// <summary>The annotations as "Name = value" text, vectors abbreviated.</summary>
    public static string DescribeAnnotations(DataViewSchema.Annotations annotations) =>
        string.Join("; ", annotations.Names.Select(name =>
            annotations.TryGetValue<object>(name, out var value) ? $"{name} = {DataDebuggerPreview.FormatValue(value)}" : name));

    private static string RenderValue(DataViewSchema.Column column, object value)
    {
        if (column.Type is VectorDataViewType vector && value is VBuffer<float> floats && ImageSize(column, vector) is { } size)
        {
            var image = DigitImage.FromVector(floats, size.Width, size.Height);
            image.DisplaySize = Math.Min(56, Math.Max(size.Width, size.Height) * 2);
            return image.ToHtml();
        }
        if (column.Type is VectorDataViewType { Size: > 0 and <= ShortVector } && value is VBuffer<float> shortVector)
            return string.Join(" ", shortVector.ToArray().Select(v => Html.N(Math.Round(v, 3))));
        if (column.Type is KeyDataViewType && value is uint key && KeyValue(column, key) is { } keyValue)
            return $"{key} <span style=\"color:#666\">({Html.Encode(keyValue)})</span>";
        return Html.Encode(DataDebuggerPreview.FormatValue(value));
    }

    /// <summary>Width and height of a one-channel image column: from its ImageShape annotation, else a 2-D vector's dimensions.</summary>
    private static (int Width, int Height)? ImageSize(DataViewSchema.Column column, VectorDataViewType vector)
    {
        if (column.Annotations.GetImageShape() is { Channels: 1 } shape && shape.Width * shape.Height == vector.Size)
            return (shape.Width, shape.Height);
        if (vector.Dimensions.Length == 2 && vector.Dimensions[0] * vector.Dimensions[1] == vector.Size && vector.Size > ShortVector)
            return (vector.Dimensions[1], vector.Dimensions[0]);
        return null;
    }

    /// <summary>The value key <paramref name="key"/> stands for (KeyValues[key - 1]) as text, or null.</summary>
    private static string? KeyValue(DataViewSchema.Column column, uint key)
    {
        if (key == 0 || !column.Annotations.TryGetValue<object>(AnnotationKinds.KeyValues, out var values))
            return key == 0 ? "missing" : null;
        var toArray = values.GetType().GetMethod("ToArray");
        if (toArray?.Invoke(values, null) is not Array items || key > items.Length)
            return null;
        return DataDebuggerPreview.FormatValue(items.GetValue((int)key - 1)).Trim('"');
    }
}
