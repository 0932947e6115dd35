namespace MlNetDigits;

/// <summary>
/// The weights of a logistic model of the log-odds that a candidate cut through a blob of ink separates touching digits:
/// z = <see cref="Bias"/> + the sum of each weight times its feature. <see cref="NumberSegmenter"/> takes the candidate
/// with the highest z and cuts when z is positive. The defaults (<see cref="NumberSegmenterOptions.Defaults"/>) were fitted
/// by bench/MlNetDigits.Bench.Numbers --fit on numbers composed from MNIST training digits.
/// </summary>
/// <param name="Bias">The constant term.</param>
/// <param name="Aspect">Times the blob's width / height.</param>
/// <param name="WidthToReference">Times the blob's width / the image's reference height (the median height of its large components).</param>
/// <param name="HeightToReference">Times the blob's height / the reference height.</param>
/// <param name="CutStrokes">Times the ink the seam severs, in stroke widths (the median ink run across a stroke in the image).</param>
/// <param name="CutStrokesUpToTwo">Times the same, counted up to 2 (the first strokes severed weigh more than the rest).</param>
/// <param name="NarrowerPartAspect">Times the smaller width / height of the two parts.</param>
/// <param name="ShorterPartHeight">Times the shorter part's height / the blob's height.</param>
/// <param name="LessSurePartDoubt">Times ln(1 - p + 1e-6), p the recogniser's top probability for the less sure part.</param>
/// <param name="SurerPartDoubt">Times the same for the surer part.</param>
/// <param name="WholeDoubt">Times the same for the uncut blob.</param>
/// <param name="LessSurePartLog">Times ln max(p, 1e-4) for the less sure part.</param>
/// <param name="WholeLog">Times ln max(p, 1e-4) for the uncut blob.</param>
public sealed record CutScoreWeights(
    float Bias, float Aspect, float WidthToReference, float HeightToReference, float CutStrokes, float CutStrokesUpToTwo,
    float NarrowerPartAspect, float ShorterPartHeight,
    float LessSurePartDoubt, float SurerPartDoubt, float WholeDoubt, float LessSurePartLog, float WholeLog)
{
    /// <summary>Builds weights from a bias and the weights in <see cref="CutFeatures.ToArray"/>'s order (zeros for any missing at the end).</summary>
    internal static CutScoreWeights FromArray(float bias, IReadOnlyList<float> w)
    {
        float At(int i) => i < w.Count ? w[i] : 0f;
        return new(bias, At(0), At(1), At(2), At(3), At(4), At(5), At(6), At(7), At(8), At(9), At(10), At(11));
    }

    /// <summary>The weights in <see cref="CutFeatures.ToArray"/>'s order.</summary>
    internal float[] ToArray() =>
        [Aspect, WidthToReference, HeightToReference, CutStrokes, CutStrokesUpToTwo, NarrowerPartAspect, ShorterPartHeight,
         LessSurePartDoubt, SurerPartDoubt, WholeDoubt, LessSurePartLog, WholeLog];

    /// <summary>The log-odds for one candidate cut.</summary>
    internal float LogOdds(CutFeatures features)
    {
        var x = features.ToArray();
        var w = ToArray();
        float z = Bias;
        for (int i = 0; i < x.Length; i++)
            z += w[i] * x[i];
        return z;
    }
}
