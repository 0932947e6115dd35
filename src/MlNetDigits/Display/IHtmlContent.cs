namespace MlNetDigits.Display;

/// <summary>A value that renders itself as an HTML fragment (images, grids, charts, tables).</summary>
public interface IHtmlContent
{
    /// <summary>The value as a self-contained HTML fragment (inline images and SVG, no scripts, no external files).</summary>
    string ToHtml();
}
