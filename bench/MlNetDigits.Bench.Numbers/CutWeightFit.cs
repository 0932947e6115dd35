using System.Globalization;

namespace MlNetDigits.Bench.Numbers;

/// <summary>
/// Fits <see cref="CutScoreWeights"/> for <see cref="NumberSegmenter"/> (the --fit mode): composes numbers, takes every
/// blob of ink the segmenter would consider cutting and every candidate cut of it, labels a cut right when it leaves each
/// touching digit whole on one side, fits a logistic regression on the cuts' features, then moves the bias to the value
/// that makes the most right keep-or-cut decisions per blob (the segmenter takes the best candidate, not each one).
/// </summary>
internal static class CutWeightFit
{
    /// <summary>One blob: each candidate's features (<see cref="CutFeatures.ToArray"/>) and whether it is a right cut.</summary>
    private sealed record Blob(bool Touching, List<(float[] Features, bool Right)> Cuts);

    public static void Run(NumberComposer composer, Random random, int count, NumberSegmenterOptions options, Func<GrayImage, float> confidence)
    {
        float threshold = options.Preprocessing.InkThreshold;
        var blobs = new List<Blob>();
        for (int index = 0; index < count; index++)
        {
            var number = composer.Next(random);
            int width = number.Canvas.Width;
            // owners: for each digit, its ink pixels (above the threshold) as canvas indices.
            var owners = number.Digits.Select(d =>
            {
                var set = new HashSet<int>();
                for (int y = 0; y < d.Box.Height; y++)
                    for (int x = 0; x < d.Box.Width; x++)
                        if (d.Ink.Pixels[y * d.Box.Width + x] > threshold)
                            set.Add((d.Box.Y + y) * width + d.Box.X + x);
                return set;
            }).ToArray();
            foreach (var blob in NumberSegmenter.Blobs(number.Canvas, options, out float stroke, out float referenceHeight))
                Visit(blob, new TouchingDigitSplitter.Context(options, stroke, referenceHeight, threshold, confidence), owners, blobs);
        }

        int touching = blobs.Count(b => b.Touching), uncuttable = blobs.Count(b => b.Touching && !b.Cuts.Any(c => c.Right));
        Console.WriteLine($"# {blobs.Count} blobs considered for cutting ({touching} hold touching digits, {uncuttable} of those with no right candidate), " +
            $"{blobs.Sum(b => b.Cuts.Count)} candidate cuts");
        foreach (var recognised in new[] { false, true })
        {
            // Geometry alone uses the first features only; the recogniser's weights stay zero.
            int used = recognised ? blobs.First(b => b.Cuts.Count > 0).Cuts[0].Features.Length : CutFeatures.GeometricCount;
            float[] X(float[] all) => all[..used];
            var rows = blobs.SelectMany(b => b.Cuts).ToList();
            var (bias, weights) = LogisticRegression.Fit(rows.Select(r => X(r.Features)).ToList(), rows.Select(r => r.Right).ToList());
            double LogOdds(float[] x, double shift) => bias + shift + X(x).Select((v, j) => weights[j] * v).Sum();
            (int Right, int SinglesCut, int TouchingKept, int Miscut) Decisions(double shift)
            {
                int right = 0, singlesCut = 0, touchingKept = 0, miscut = 0;
                foreach (var b in blobs)
                {
                    var best = b.Cuts.Count == 0 ? default : b.Cuts.MaxBy(c => LogOdds(c.Features, shift));
                    bool cut = b.Cuts.Count > 0 && LogOdds(best.Features, shift) > 0;
                    if (b.Touching ? cut && best.Right : !cut)
                        right++;
                    else if (!b.Touching)
                        singlesCut++;
                    else if (!cut)
                        touchingKept++;
                    else
                        miscut++;
                }
                return (right, singlesCut, touchingKept, miscut);
            }
            double bestShift = Enumerable.Range(-60, 121).Select(i => i / 20.0).MaxBy(s => (Decisions(s).Right, -Math.Abs(s)));
            var result = CutScoreWeights.FromArray((float)(bias + bestShift), weights.Select(w => (float)w).ToArray());
            Console.WriteLine($"{(recognised ? "RecognitionWeights" : "GeometryWeights")} = {Initialiser(result)};");
            var (rightCount, singles, kept, miscut) = Decisions(bestShift);
            Console.WriteLine($"#   keep-or-cut decisions right: {rightCount} of {blobs.Count} blobs (bias moved by {bestShift:+0.00;-0.00}; " +
                $"{Decisions(0).Right} before); wrong: {singles} single digits cut, {kept} touching blobs kept whole, {miscut} cut in the wrong place");
        }
    }

    /// <summary>C# for the weights, as <see cref="NumberSegmenterOptions.Defaults"/> spells them.</summary>
    private static string Initialiser(CutScoreWeights w)
    {
        string F(float v) => v.ToString("0.###", CultureInfo.InvariantCulture) + "f";
        var names = typeof(CutScoreWeights).GetConstructors()[0].GetParameters().Select(p => p.Name!);
        var values = new[] { w.Bias }.Concat(w.ToArray());
        return "new(" + string.Join(", ", names.Zip(values, (n, v) => $"{n}: {F(v)}")) + ")";
    }

    /// <summary>Records the candidates of <paramref name="blob"/>, then those of the parts of its cheapest right cut.</summary>
    private static void Visit(InkBlob blob, TouchingDigitSplitter.Context context, HashSet<int>[] owners, List<Blob> blobs)
    {
        if ((float)blob.Width / blob.Height <= context.Options.ConsiderAspect)
            return; // never considered: nothing to learn from it
        var candidates = TouchingDigitSplitter.Candidates(blob, context);
        var pixels = blob.Pixels.ToHashSet();
        // The digits this blob holds: at least 30 % of their ink.
        var held = owners.Where(o => o.Count(pixels.Contains) >= 0.3 * o.Count).ToArray();
        bool Right(SeamCut.Cut cut)
        {
            var left = cut.Left.Pixels.ToHashSet();
            int leftDigits = 0, rightDigits = 0;
            foreach (var digit in held)
            {
                int inBlob = digit.Count(pixels.Contains), onLeft = digit.Count(left.Contains);
                if (onLeft >= 0.7 * inBlob)
                    leftDigits++;
                else if (inBlob - onLeft >= 0.7 * inBlob)
                    rightDigits++;
                else
                    return false; // this digit is cut through
            }
            return leftDigits > 0 && rightDigits > 0;
        }
        blobs.Add(new Blob(held.Length >= 2, candidates.Select(c => (c.Features.ToArray(), Right(c.Cut))).ToList()));
        var right = candidates.Where(c => Right(c.Cut)).MinBy(c => c.Features.CutStrokes);
        if (right is not null)
        {
            Visit(right.Cut.Left, context, owners, blobs);
            Visit(right.Cut.Right, context, owners, blobs);
        }
    }
}
