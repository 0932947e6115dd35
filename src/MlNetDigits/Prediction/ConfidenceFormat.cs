using System.Globalization;

namespace MlNetDigits;

/// <summary>
/// Writes a probability as a percentage without ever rounding it up to "100 %": one decimal ("97.3 %"), or as many more
/// (up to four) as it takes to stay below 100 ("99.96 %", "99.9996 %"), or "> 99.9999 %"; only a probability of exactly 1
/// is "100 %".
/// </summary>
public static class ConfidenceFormat
{
    /// <summary>The percentage text of <paramref name="probability"/> (0..1; values outside are clamped; NaN is "NaN").</summary>
    public static string Percent(double probability)
    {
        if (double.IsNaN(probability))
            return "NaN";
        double percent = Math.Clamp(probability, 0, 1) * 100;
        if (percent >= 100)
            return "100 %";
        for (int decimals = 1; decimals <= 4; decimals++)
        {
            var text = percent.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (!text.StartsWith("100", StringComparison.Ordinal))
                return text + " %";
        }
        return "> 99.9999 %";
    }
}
