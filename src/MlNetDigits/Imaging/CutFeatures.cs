namespace MlNetDigits;

/// <summary>
/// What <see cref="CutScoreWeights"/> knows about one candidate cut of a blob of ink: its geometry and, with a recogniser,
/// how sure the classifier is of the two parts and of the uncut blob. See <see cref="CutScoreWeights"/> for each value.
/// </summary>
internal readonly record struct CutFeatures(
    float Aspect, float WidthToReference, float HeightToReference, float CutStrokes, float NarrowerPartAspect, float ShorterPartHeight,
    float LessSurePart, float SurerPart, float Whole)
{
    /// <summary>The smallest probability whose logarithm is taken (a probability of 0 gives ln 1e-4, not minus infinity).</summary>
    public const float SmallestProbability = 1e-4f;

    /// <summary>The smallest doubt 1 - p counted (a probability of exactly 1 gives ln 1e-6, not minus infinity).</summary>
    public const float SmallestDoubt = 1e-6f;

    /// <summary>The features of cutting <paramref name="blob"/> into <paramref name="cut"/>'s parts.</summary>
    /// <param name="blob">The uncut blob.</param>
    /// <param name="cut">The candidate.</param>
    /// <param name="stroke">The image's stroke width in ink units.</param>
    /// <param name="referenceHeight">The image's typical digit height in pixels.</param>
    /// <param name="left">The recogniser's top probability for the left part (1 without one).</param>
    /// <param name="right">The same for the right part.</param>
    /// <param name="whole">The same for the uncut blob.</param>
    public static CutFeatures Of(InkBlob blob, SeamCut.Cut cut, float stroke, float referenceHeight, float left, float right, float whole) => new(
        Aspect: (float)blob.Width / blob.Height,
        WidthToReference: blob.Width / referenceHeight,
        HeightToReference: blob.Height / referenceHeight,
        CutStrokes: cut.Cost / stroke,
        NarrowerPartAspect: Math.Min((float)cut.Left.Width / cut.Left.Height, (float)cut.Right.Width / cut.Right.Height),
        ShorterPartHeight: (float)Math.Min(cut.Left.Height, cut.Right.Height) / blob.Height,
        LessSurePart: Math.Min(left, right),
        SurerPart: Math.Max(left, right),
        Whole: whole);

    /// <summary>ln(1 - p + 1e-6): about -13.8 for p = 1, 0 for p = 0; it tells 0.99 from 0.99999 where ln p cannot.</summary>
    public static float Doubt(float probability) => MathF.Log(1 - probability + SmallestDoubt);

    /// <summary>ln max(p, 1e-4).</summary>
    public static float Log(float probability) => MathF.Log(MathF.Max(probability, SmallestProbability));

    /// <summary>
    /// The values the weights multiply, in the order of <see cref="CutScoreWeights"/>'s parameters after the bias: the
    /// geometric ones first (<see cref="GeometricCount"/>), then the recogniser's.
    /// </summary>
    public float[] ToArray() =>
    [
        Aspect, WidthToReference, HeightToReference, CutStrokes, MathF.Min(CutStrokes, 2f), NarrowerPartAspect, ShorterPartHeight,
        Doubt(LessSurePart), Doubt(SurerPart), Doubt(Whole), Log(LessSurePart), Log(Whole),
    ];

    /// <summary>How many of <see cref="ToArray"/>'s values come from geometry alone.</summary>
    public const int GeometricCount = 7;
}
