namespace MlNetDigits;

/// <summary>
/// Settings of <see cref="NumberSegmenter"/>; the defaults live in <see cref="Defaults"/>. Sizes are fractions of the
/// reference digit height (the median height of the image's tall ink components) or of a blob's own height, so they
/// hold at any drawing size.
/// </summary>
public sealed class NumberSegmenterOptions
{
    /// <summary>The default settings, tuned on 4-digit strings composed from MNIST digits (bench/MlNetDigits.Bench.Numbers).</summary>
    public static class Defaults
    {
        /// <summary>Ink shorter than this fraction of the reference height is a piece of a digit or noise, never a digit of its own: 0.5.</summary>
        public const float PieceHeight = 0.5f;

        /// <summary>Ink with less than this fraction of the ink of a 1 drawn in one stroke as tall as the reference height is a piece or noise (a dotted line, a faint second stroke): 0.25.</summary>
        public const float PieceInk = 0.25f;

        /// <summary>A small piece joins the nearest digit within this fraction of the reference height (the gap between their nearest ink); farther ones are noise: 0.3.</summary>
        public const float AttachDistance = 0.3f;

        /// <summary>A component at most this fraction of the reference height may be a piece of the digit above or below it: 0.75.</summary>
        public const float MergeHeight = 0.75f;

        /// <summary>...when the gap between them, vertically and sideways, is at most this fraction of the reference height: 0.35.</summary>
        public const float MergeGap = 0.35f;

        /// <summary>...and they share at most this fraction of the shorter one's rows (a piece sits above or below its digit, not beside it): 0.5.</summary>
        public const float MergeRowOverlap = 0.5f;

        /// <summary>Each side of a cut must be at least this fraction of the blob's height: 0.55 (digits in one number differ in height, but not by half).</summary>
        public const float MinimumPartHeight = 0.55f;

        /// <summary>Each side of a cut must hold at least this fraction of the blob's ink: 0.08.</summary>
        public const float MinimumPartMass = 0.08f;

        /// <summary>A blob narrower than this multiple of its height is one digit, never cut (nor a recogniser asked): 0.3 (two touching 1s are about 0.4).</summary>
        public const float ConsiderAspect = 0.3f;

        /// <summary>
        /// The log-odds of a cut from geometry alone (blob aspect and ink crossed), fitted by logistic regression on
        /// numbers composed from MNIST training digits (bench/MlNetDigits.Bench.Numbers --fit).
        /// </summary>
        public static readonly CutScoreWeights GeometryWeights = new(Bias: -4.448f, Aspect: 0.961f, WidthToReference: 2.115f, HeightToReference: 1.126f, CutStrokes: -0.838f, CutStrokesUpToTwo: -1.935f, NarrowerPartAspect: 1.058f, ShorterPartHeight: 1.33f, LessSurePartDoubt: 0f, SurerPartDoubt: 0f, WholeDoubt: 0f, LessSurePartLog: 0f, WholeLog: 0f);

        /// <summary>
        /// The log-odds of a cut with a recogniser (geometry plus how sure the classifier is of the parts and of the whole),
        /// fitted the same way with the shipped CNN (models/cnn-best.zip).
        /// </summary>
        public static readonly CutScoreWeights RecognitionWeights = new(Bias: -4.246f, Aspect: 0.636f, WidthToReference: 1.023f, HeightToReference: 0.387f, CutStrokes: -0.563f, CutStrokesUpToTwo: -1.115f, NarrowerPartAspect: 0.904f, ShorterPartHeight: 1.096f, LessSurePartDoubt: -0.453f, SurerPartDoubt: -0.321f, WholeDoubt: 0.536f, LessSurePartLog: -0.329f, WholeLog: 0.724f);

        /// <summary>The most digits one blob of touching ink may be cut into: 8.</summary>
        public const int MaximumDigitsPerBlob = 8;
    }

    /// <summary>
    /// How the image becomes white ink on black (inversion, background removal) and which pixels are ink
    /// (<see cref="DigitPreprocessorOptions.InkThreshold"/>): the same settings as for one digit.
    /// </summary>
    public DigitPreprocessorOptions Preprocessing { get; set; } = new();

    /// <summary>See <see cref="Defaults.PieceHeight"/>; 0..1.</summary>
    public float PieceHeight { get; set; } = Defaults.PieceHeight;

    /// <summary>See <see cref="Defaults.PieceInk"/>; 0 or more.</summary>
    public float PieceInk { get; set; } = Defaults.PieceInk;

    /// <summary>See <see cref="Defaults.AttachDistance"/>; 0 or more.</summary>
    public float AttachDistance { get; set; } = Defaults.AttachDistance;

    /// <summary>See <see cref="Defaults.MergeHeight"/>; 0 or more.</summary>
    public float MergeHeight { get; set; } = Defaults.MergeHeight;

    /// <summary>See <see cref="Defaults.MergeGap"/>; 0 or more.</summary>
    public float MergeGap { get; set; } = Defaults.MergeGap;

    /// <summary>See <see cref="Defaults.MergeRowOverlap"/>; 0..1.</summary>
    public float MergeRowOverlap { get; set; } = Defaults.MergeRowOverlap;

    /// <summary>See <see cref="Defaults.MinimumPartHeight"/>; 0..1.</summary>
    public float MinimumPartHeight { get; set; } = Defaults.MinimumPartHeight;

    /// <summary>See <see cref="Defaults.MinimumPartMass"/>; 0..0.5.</summary>
    public float MinimumPartMass { get; set; } = Defaults.MinimumPartMass;

    /// <summary>See <see cref="Defaults.ConsiderAspect"/>; positive.</summary>
    public float ConsiderAspect { get; set; } = Defaults.ConsiderAspect;

    /// <summary>See <see cref="Defaults.GeometryWeights"/>: how cuts are scored when no recogniser is given.</summary>
    public CutScoreWeights GeometryWeights { get; set; } = Defaults.GeometryWeights;

    /// <summary>See <see cref="Defaults.RecognitionWeights"/>: how cuts are scored with a recogniser.</summary>
    public CutScoreWeights RecognitionWeights { get; set; } = Defaults.RecognitionWeights;

    /// <summary>See <see cref="Defaults.MaximumDigitsPerBlob"/>; 1 or more (1 turns splitting off).</summary>
    public int MaximumDigitsPerBlob { get; set; } = Defaults.MaximumDigitsPerBlob;

    /// <summary>A copy of these options reading images with <paramref name="preprocessing"/>.</summary>
    internal NumberSegmenterOptions With(DigitPreprocessorOptions preprocessing)
    {
        var copy = (NumberSegmenterOptions)MemberwiseClone();
        copy.Preprocessing = preprocessing;
        return copy;
    }
}
