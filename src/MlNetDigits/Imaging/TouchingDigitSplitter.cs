namespace MlNetDigits;

/// <summary>
/// Step 5 of <see cref="NumberSegmenter"/>: cuts a blob of touching digits apart. Each candidate cut (the cheapest seam in
/// each of several windows, see <see cref="SeamCut.Alternatives"/>) is scored by the log-odds of
/// <see cref="CutScoreWeights"/>; the best one is taken when its log-odds are positive, and both parts are examined again.
/// </summary>
internal static class TouchingDigitSplitter
{
    /// <summary>What every decision in one image shares.</summary>
    /// <param name="Options">The segmenter's settings.</param>
    /// <param name="Stroke">The image's stroke width in ink units (see <see cref="NumberSegmenter.StrokeWidth"/>).</param>
    /// <param name="ReferenceHeight">The image's typical digit height in pixels (the median height of its tall components).</param>
    /// <param name="Threshold">Where ink starts, 0..255.</param>
    /// <param name="Confidence">The recogniser (a crop's top probability), or null for geometry alone.</param>
    internal sealed record Context(NumberSegmenterOptions Options, float Stroke, float ReferenceHeight, float Threshold, Func<GrayImage, float>? Confidence)
    {
        public CutScoreWeights Weights => Confidence is null ? Options.GeometryWeights : Options.RecognitionWeights;
    }

    /// <summary>A candidate cut with what its score is made of.</summary>
    /// <param name="Cut">The two parts.</param>
    /// <param name="Features">What the score is computed from, including the recogniser's answers.</param>
    /// <param name="LogOdds">The score: positive means the cut more likely separates two digits than not.</param>
    internal sealed record Candidate(SeamCut.Cut Cut, CutFeatures Features, float LogOdds)
    {
        /// <summary>The recogniser's top probability for the left part (1 without a recogniser).</summary>
        public float Left { get; init; }

        /// <summary>The same for the right part.</summary>
        public float Right { get; init; }
    }

    /// <summary>
    /// Adds <paramref name="blob"/> to <paramref name="digits"/>, cut into at most <paramref name="budget"/> digits, each
    /// with the probability (by the model) that the least sure keep-or-cut decision that shaped it was right.
    /// </summary>
    public static void Split(InkBlob blob, Context context, int budget, float? wholeConfidence, float sure, List<(InkBlob Digit, float Sure)> digits)
    {
        var best = budget < 2 ? null : Candidates(blob, context, wholeConfidence).MaxBy(c => c.LogOdds);
        // P(the decision is right) = sigmoid(|z|): keeping when z <= 0, cutting when z > 0.
        float decided = best is null ? sure : MathF.Min(sure, 1 / (1 + MathF.Exp(-MathF.Abs(best.LogOdds))));
        if (best is null || best.LogOdds <= 0)
        {
            digits.Add((blob, decided));
            return;
        }
        // Share the budget in proportion to width, at least one digit each.
        var (left, right) = (best.Cut.Left, best.Cut.Right);
        int leftBudget = Math.Clamp((int)MathF.Round(budget * (float)left.Width / (left.Width + right.Width)), 1, budget - 1);
        bool recognised = context.Confidence is not null;
        Split(left, context, leftBudget, recognised ? best.Left : null, decided, digits);
        Split(right, context, budget - leftBudget, recognised ? best.Right : null, decided, digits);
    }

    /// <summary>
    /// The candidate cuts of <paramref name="blob"/>, left to right, scored; none when it is too narrow to be two digits
    /// (<see cref="NumberSegmenterOptions.ConsiderAspect"/>) or no seam leaves two digit-like parts (tall and inky
    /// enough against the blob, and neither a piece by <see cref="NumberSegmenter.IsPiece"/>).
    /// </summary>
    public static List<Candidate> Candidates(InkBlob blob, Context context, float? wholeConfidence = null)
    {
        var options = context.Options;
        float aspect = (float)blob.Width / blob.Height;
        if (aspect <= options.ConsiderAspect)
            return [];
        bool Plausible(InkBlob left, InkBlob right) =>
            left.Height >= options.MinimumPartHeight * blob.Height && right.Height >= options.MinimumPartHeight * blob.Height &&
            left.Mass >= options.MinimumPartMass * blob.Mass && right.Mass >= options.MinimumPartMass * blob.Mass &&
            !NumberSegmenter.IsPiece(left, options, context.Stroke, context.ReferenceHeight) &&
            !NumberSegmenter.IsPiece(right, options, context.Stroke, context.ReferenceHeight);
        var cuts = SeamCut.Alternatives(blob, centrePenalty: 0.02f, turnPenalty: 0.01f, Plausible);
        if (cuts.Count == 0)
            return [];
        float whole = wholeConfidence ?? Confidence(blob, context);
        return cuts.Select(cut =>
        {
            float left = Confidence(cut.Left, context), right = Confidence(cut.Right, context);
            var features = CutFeatures.Of(blob, cut, context.Stroke, context.ReferenceHeight, left, right, whole);
            return new Candidate(cut, features, context.Weights.LogOdds(features)) { Left = left, Right = right };
        }).ToList();
    }

    /// <summary>The recogniser's top probability for a candidate digit; 1 without a recogniser.</summary>
    private static float Confidence(InkBlob part, Context context)
    {
        if (context.Confidence is null)
            return 1;
        float sure = context.Confidence(NumberSegmenter.Crop(part, context.Threshold));
        if (!(sure is >= 0 and <= 1))
            throw new InvalidOperationException(
                $"The digit confidence function must return a probability in 0..1; it returned {sure}. Pass the classifier's top probability.");
        return sure;
    }
}
