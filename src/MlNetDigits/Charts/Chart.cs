using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ScottPlot;

namespace MlNetDigits;

/// <summary>
/// A chart made by <see cref="Charts"/>: renders to SVG text or PNG bytes at any size, the same bytes for the same
/// input (no random ids, no timestamps), and shows as an SVG image in Polyglot Notebooks.
/// </summary>
[TypeFormatterSource(typeof(ChartFormatterSource), PreferredMimeTypes = [SvgMimeType, "text/plain"])]
public sealed partial class Chart
{
    /// <summary>The MIME type of <see cref="ToSvg()"/>.</summary>
    public const string SvgMimeType = "image/svg+xml";

    private const int MinSize = 16;
    private const int MaxSize = 8192;

    private readonly Plot _plot;
    private readonly Lock _gate = new();

    internal Chart(Plot plot, string title, int width, int height)
    {
        _plot = plot;
        Title = title;
        Width = width;
        Height = height;
    }

    /// <summary>The chart's title (may be empty).</summary>
    public string Title { get; }

    /// <summary>The width, in pixels, that <see cref="ToSvg()"/>, <see cref="ToPng()"/> and notebooks use.</summary>
    public int Width { get; }

    /// <summary>The height, in pixels, that <see cref="ToSvg()"/>, <see cref="ToPng()"/> and notebooks use.</summary>
    public int Height { get; }

    /// <summary>The chart as a standalone SVG document of <see cref="Width"/> x <see cref="Height"/> pixels.</summary>
    public string ToSvg() => ToSvg(Width, Height);

    /// <summary>
    /// The chart as an SVG document (no XML declaration, so it can also be inlined in HTML) of the given size, with a
    /// viewBox so it scales. Element ids are numbered from a hash of the drawing: identical charts get identical
    /// ids, different charts inlined into one page do not clash.
    /// </summary>
    public string ToSvg(int width, int height)
    {
        CheckSize(width, height);
        string svg;
        lock (_gate)
            svg = Invariant(() => _plot.GetSvgXml(width, height));
        return Deterministic(svg, width, height);
    }

    /// <summary>The chart as PNG bytes of <see cref="Width"/> x <see cref="Height"/> pixels.</summary>
    public byte[] ToPng() => ToPng(Width, Height);

    /// <summary>The chart as PNG bytes of the given size.</summary>
    public byte[] ToPng(int width, int height)
    {
        CheckSize(width, height);
        lock (_gate)
            return Invariant(() => _plot.GetImageBytes(width, height, ImageFormat.Png));
    }

    /// <summary>A one-line description, what a notebook shows where it cannot show images.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Chart \"{Title}\" ({Width} x {Height})");

    private static void CheckSize(int width, int height)
    {
        if (width is < MinSize or > MaxSize || height is < MinSize or > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"A chart is drawn between {MinSize} and {MaxSize} pixels on a side; {width} x {height} was asked for.");
    }

    // Tick labels are formatted with the current culture: draw with the invariant one, so "0.5" is "0.5" everywhere.
    private static T Invariant<T>(Func<T> render)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [GeneratedRegex("id=\"([^\"]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex IdAttribute();

    // Skia numbers clip paths with a counter that runs for the whole process (cl_4, then cl_7 for the same chart drawn
    // again); renumber them in document order with a prefix taken from the drawing itself.
    private static string Deterministic(string svg, int width, int height)
    {
        if (svg.StartsWith("<?xml", StringComparison.Ordinal))
            svg = svg[(svg.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart();
        var ids = IdAttribute().Matches(svg).Select(m => m.Groups[1].Value).Distinct().ToList();
        var neutral = ids.Aggregate(svg, (text, id) => text.Replace($"\"{id}\"", "\"\"", StringComparison.Ordinal)
                                                           .Replace($"#{id})", "#)", StringComparison.Ordinal));
        var prefix = "c" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(neutral)))[..8];
        for (int i = 0; i < ids.Count; i++)
        {
            var id = $"{prefix}-{i + 1}";
            svg = svg.Replace($"id=\"{ids[i]}\"", $"id=\"{id}\"", StringComparison.Ordinal)
                     .Replace($"url(#{ids[i]})", $"url(#{id})", StringComparison.Ordinal)
                     .Replace($"href=\"#{ids[i]}\"", $"href=\"#{id}\"", StringComparison.Ordinal);
        }
        var root = string.Create(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {width} {height}\" ");
        return svg.StartsWith("<svg ", StringComparison.Ordinal) ? root + svg[5..] : svg;
    }
}
