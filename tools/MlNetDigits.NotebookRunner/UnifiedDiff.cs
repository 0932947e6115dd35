using System.Text;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// A short unified diff of the first difference between two texts: one hunk spanning the lines between their common
/// beginning and common end, with up to three lines of context, each side cut at <c>maxLines</c> lines. Long lines
/// (one-line HTML) are shown as a window around the first character that differs.
/// </summary>
internal static class UnifiedDiff
{
    private const int Context = 3;
    private const int WindowBefore = 60;
    private const int WindowAfter = 140;

    public static string Format(string oldText, string newText, string oldLabel, string newLabel, int maxLines = 20)
    {
        var oldLines = oldText.Split('\n');
        var newLines = newText.Split('\n');
        int prefix = 0;
        while (prefix < oldLines.Length && prefix < newLines.Length && oldLines[prefix] == newLines[prefix])
            prefix++;
        if (prefix == oldLines.Length && prefix == newLines.Length)
            return "";
        int suffix = 0;
        while (suffix < oldLines.Length - prefix && suffix < newLines.Length - prefix
               && oldLines[^(suffix + 1)] == newLines[^(suffix + 1)])
            suffix++;

        int start = Math.Max(0, prefix - Context);
        int oldEnd = Math.Min(oldLines.Length, oldLines.Length - suffix + Context);
        int newEnd = Math.Min(newLines.Length, newLines.Length - suffix + Context);
        int column = FirstDifference(
            prefix < oldLines.Length ? oldLines[prefix] : "", prefix < newLines.Length ? newLines[prefix] : "");

        var diff = new StringBuilder();
        diff.Append("--- ").Append(oldLabel).Append('\n');
        diff.Append("+++ ").Append(newLabel).Append('\n');
        diff.Append($"@@ -{start + 1},{oldEnd - start} +{start + 1},{newEnd - start} @@\n");
        for (int i = start; i < prefix; i++)
            diff.Append(' ').Append(Window(oldLines[i], 0)).Append('\n');
        Changed(diff, '-', oldLines, prefix, oldLines.Length - suffix, column, maxLines);
        Changed(diff, '+', newLines, prefix, newLines.Length - suffix, column, maxLines);
        for (int i = oldLines.Length - suffix; i < oldEnd; i++)
            diff.Append(' ').Append(Window(oldLines[i], 0)).Append('\n');
        return diff.ToString();
    }

    private static void Changed(StringBuilder diff, char sign, string[] lines, int from, int to, int column, int maxLines)
    {
        for (int i = from; i < to && i < from + maxLines; i++)
            diff.Append(sign).Append(Window(lines[i], i == from ? column : 0)).Append('\n');
        if (to - from > maxLines)
            diff.Append(sign).Append($" … {to - from - maxLines} more lines\n");
    }

    private static int FirstDifference(string a, string b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
            i++;
        return i;
    }

    private static string Window(string line, int column)
    {
        int from = Math.Max(0, column - WindowBefore);
        int to = Math.Min(line.Length, Math.Max(column, from) + WindowAfter);
        return (from > 0 ? "…" : "") + line[from..to] + (to < line.Length ? "…" : "");
    }
}
