using System.Text;

namespace MlNetDigits.Cli.Rendering;

/// <summary>
/// Draws grey-level images as terminal text with the shades " ░▒▓█". Each text line shows two pixel rows (averaged),
/// since a character cell is about twice as tall as it is wide, so a 28 x 28 digit takes 28 columns and 14 lines.
/// </summary>
internal static class DigitArt
{
    private const string Shades = " ░▒▓█";

    /// <summary>The shade for a pixel value 0..255.</summary>
    public static char Shade(float value) => Shades[Math.Clamp((int)(value * Shades.Length / 256f), 0, Shades.Length - 1)];

    /// <summary>The lines of one image. // pixels: (height, width), values 0..255</summary>
    public static string[] Render(ReadOnlySpan<float> pixels, int height, int width)
    {
        var lines = new string[(height + 1) / 2];
        var line = new StringBuilder(width);
        for (int y = 0; y < height; y += 2)
        {
            line.Clear();
            for (int x = 0; x < width; x++)
            {
                var top = pixels[y * width + x];
                var bottom = y + 1 < height ? pixels[(y + 1) * width + x] : top;
                line.Append(Shade((top + bottom) / 2));
            }
            lines[y / 2] = line.ToString();
        }
        return lines;
    }

    /// <summary>Writes captioned images side by side, as many per row as fit in <paramref name="totalWidth"/>.</summary>
    public static void WriteGrid(TextWriter output, IReadOnlyList<(string Caption, string[] Lines)> images, int imageWidth, int totalWidth)
    {
        const int gap = 3;
        var cell = Math.Max(imageWidth, images.Count == 0 ? 0 : images.Max(i => i.Caption.Length));
        var perRow = Math.Max(1, (totalWidth + gap) / (cell + gap));
        for (int start = 0; start < images.Count; start += perRow)
        {
            var row = images.Skip(start).Take(perRow).ToList();
            output.WriteLine(string.Join(new string(' ', gap), row.Select(i => i.Caption.PadRight(cell))).TrimEnd());
            var height = row.Max(i => i.Lines.Length);
            for (int y = 0; y < height; y++)
                output.WriteLine(string.Join(new string(' ', gap), row.Select(i => (y < i.Lines.Length ? i.Lines[y] : "").PadRight(cell))).TrimEnd());
            output.WriteLine();
        }
    }

    /// <summary>A horizontal bar of <paramref name="fraction"/> x <paramref name="width"/> cells in eighths ("█▉▊▋▌▍▎▏").</summary>
    public static string Bar(double fraction, int width)
    {
        const string partial = " ▏▎▍▌▋▊▉";
        var eighths = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width * 8);
        var bar = new string('█', eighths / 8);
        return eighths % 8 == 0 ? bar : bar + partial[eighths % 8];
    }
}
