namespace MlNetDigits;

/// <summary>Settings of <see cref="DigitPreprocessor"/>; the defaults suit canvas drawings, scans and MNIST digits.</summary>
public sealed class DigitPreprocessorOptions
{
    /// <summary>The default settings.</summary>
    public static class Defaults
    {
        /// <summary>Decide from the border whether to invert.</summary>
        public const InversionMode Inversion = InversionMode.Auto;

        /// <summary>Ink is a pixel brighter than this (0..255, after inversion and background removal): about 10%.</summary>
        public const float InkThreshold = 25f;

        /// <summary>Map the background level (the border median) to 0 and stretch the rest to 0..255.</summary>
        public const bool RemoveBackground = true;
    }

    /// <summary>Whether to invert dark-on-light images; see <see cref="InversionMode"/>.</summary>
    public InversionMode Inversion { get; set; } = Defaults.Inversion;

    /// <summary>
    /// Pixels at or below this level (0..255, white-on-black, after background removal) do not count as ink when finding
    /// the ink's bounding box, so faint noise and paper texture do not widen it.
    /// </summary>
    public float InkThreshold { get; set; } = Defaults.InkThreshold;

    /// <summary>
    /// Whether to subtract the background level (median of the border, after inversion) and stretch the remaining range
    /// back to 0..255, so gray paper becomes MNIST's black. It changes nothing when the background is already 0.
    /// </summary>
    public bool RemoveBackground { get; set; } = Defaults.RemoveBackground;
}
