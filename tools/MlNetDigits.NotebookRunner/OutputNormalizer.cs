using System.Text.RegularExpressions;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// Masks what legitimately changes between two runs of the same notebook before outputs are compared: timings (a
/// number followed by a time unit — s, sec, seconds, ms, µs, us, ns, min — or by a rate ending in "/s" such as
/// "images/s"; and hh:mm:ss TimeSpans). Nothing else: a cell whose outputs vary for another reason (a random
/// value, the clock, a folder of this machine) says so with <see cref="VaryMarker"/>.
/// </summary>
internal static partial class OutputNormalizer
{
    /// <summary>A line in a cell that exempts its outputs from the comparison (the cell must still run without error).</summary>
    public const string VaryMarker = "// notebook: outputs vary";

    /// <summary>What a masked timing reads as.</summary>
    public const string TimingMask = "<timing>";

    // 12 s, 1.5s, 1,234.5 ms, 3 µs, 2 seconds, 1.5 min; 1,234 images/s, 5.6/s; 00:01:02.5 (a TimeSpan)
    [GeneratedRegex(
        @"(?<![\w.,])\d+(?:[.,]\d+)*\s?(?:(?:ms|µs|μs|us|ns|sec|secs|seconds?|s|min|mins|minutes?)(?![\p{L}\d/])|[\p{L}]*/s(?![\p{L}\d]))" +
        @"|(?<![\w.:])\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?![\w:])",
        RegexOptions.CultureInvariant)]
    private static partial Regex Timing();

    /// <summary>Replaces every timing in <paramref name="text"/> with <see cref="TimingMask"/>.</summary>
    public static string MaskTimings(string text) => Timing().Replace(text, TimingMask);

    /// <summary>True when one line of <paramref name="cellSource"/> starts with <see cref="VaryMarker"/>.</summary>
    public static bool OutputsVary(string cellSource) =>
        cellSource.Split('\n').Any(line => line.TrimStart().StartsWith(VaryMarker, StringComparison.OrdinalIgnoreCase));
}
