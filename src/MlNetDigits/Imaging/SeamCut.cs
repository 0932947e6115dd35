namespace MlNetDigits;

/// <summary>
/// A top-to-bottom boundary through a blob of touching digits, found by dynamic programming (a minimum-cost seam): one
/// boundary position per row, free to move sideways between rows, costing the ink connections it severs.
/// </summary>
/// <remarks>
/// A boundary at position p in a row lies between columns p - 1 and p (local to the blob's box); pixels left of it go to
/// the left part. Severing two neighbouring pixels costs min(ink(a), ink(b)) in 0..1: in a row, the pair on either side
/// of the boundary; between rows, each vertically adjacent pair in the columns the boundary moved across. So passing beside
/// a stroke or sliding sideways through a gap costs nothing and cutting a stroke costs about its thickness: a minimum cut
/// among boundaries that meet each row once. It generalises the projection valley (a straight seam) and the drop-fall
/// path (a seam that slides around strokes), and can follow the gap between a 7's bar and the digit under it.
/// </remarks>
internal static class SeamCut
{
    /// <summary>A cut: the two parts and the ink it severed (in pixels of full intensity).</summary>
    internal sealed record Cut(InkBlob Left, InkBlob Right, float Cost);

    /// <summary>How many candidate seams (the cheapest ones) are offered to the acceptance test.</summary>
    private const int MaximumTries = 32;

    /// <summary>
    /// The cheapest cut whose boundary stays within columns [<paramref name="from"/>, <paramref name="to"/>] (fractions
    /// of the blob's width) and whose parts <paramref name="accept"/> takes; null when there is none.
    /// </summary>
    /// <param name="blob">The blob to cut.</param>
    /// <param name="from">The leftmost boundary position, as a fraction of the width.</param>
    /// <param name="to">The rightmost boundary position, as a fraction of the width.</param>
    /// <param name="centrePenalty">Cost per row of being half the width away from the window's centre (breaks ties towards the middle).</param>
    /// <param name="turnPenalty">Cost per column the boundary moves between rows (prefers straight seams).</param>
    /// <param name="accept">Whether a (left, right) pair is a plausible split.</param>
    public static Cut? Cheapest(InkBlob blob, float from, float to, float centrePenalty, float turnPenalty, Func<InkBlob, InkBlob, bool> accept)
    {
        int w = blob.Width, h = blob.Height, imageWidth = blob.Image.Width;
        int first = Math.Max(1, (int)MathF.Ceiling(from * w)), last = Math.Min(w - 1, (int)MathF.Floor(to * w));
        if (first > last)
            return null;

        // ink: (h, w), the blob's own pixels scaled to 0..1; other blobs' ink counts as background.
        var ink = new float[h * w];
        foreach (int i in blob.Pixels)
            ink[(i / imageWidth - blob.MinY) * w + i % imageWidth - blob.MinX] = blob.Image.Pixels[i] / 255f;
        // across: (h, w + 1), across[y, x] = the vertical links severed when the boundary moves from 0 to x between rows y - 1 and y.
        var across = new float[h * (w + 1)];
        for (int y = 1; y < h; y++)
            for (int x = 0; x < w; x++)
                across[y * (w + 1) + x + 1] = across[y * (w + 1) + x] + MathF.Min(ink[(y - 1) * w + x], ink[y * w + x]);
        float Row(int y, int p) => MathF.Min(ink[y * w + p - 1], ink[y * w + p]);
        float Move(int y, int q, int p) => MathF.Abs(across[y * (w + 1) + p] - across[y * (w + 1) + q]);

        // total: (h, positions) cheapest seam cost from the top row to (y, p); previous: (h, positions) where row y - 1 was.
        int positions = last - first + 1;
        var total = new float[h * positions];
        var previous = new int[h * positions];
        float centre = (first + last) / 2f;
        for (int y = 0; y < h; y++)
            for (int k = 0; k < positions; k++)
            {
                int p = first + k;
                float step = Row(y, p) + centrePenalty * MathF.Abs(p - centre) / (w / 2f);
                if (y == 0)
                {
                    total[k] = step;
                    previous[k] = k;
                    continue;
                }
                // Straight down first, then nearer positions before farther, left before right: ties break the same way every run.
                int best = k;
                float bestCost = total[(y - 1) * positions + k];
                for (int distance = 1; distance < positions; distance++)
                    foreach (int j in (ReadOnlySpan<int>)[k - distance, k + distance])
                    {
                        if (j < 0 || j >= positions)
                            continue;
                        float cost = total[(y - 1) * positions + j] + Move(y, first + j, p) + turnPenalty * distance;
                        if (cost < bestCost)
                            (best, bestCost) = (j, cost);
                    }
                total[y * positions + k] = bestCost + step;
                previous[y * positions + k] = best;
            }

        // Every bottom position ends one candidate seam; try the cheapest few (each try partitions the blob's pixels).
        var ends = Enumerable.Range(0, positions).OrderBy(k => total[(h - 1) * positions + k]).ThenBy(k => k).Take(MaximumTries);
        var boundary = new int[h];
        foreach (int end in ends)
        {
            int k = end;
            for (int y = h - 1; y >= 0; y--)
            {
                boundary[y] = first + k;
                k = previous[y * positions + k];
            }
            float severed = Row(0, boundary[0]);
            for (int y = 1; y < h; y++)
                severed += Row(y, boundary[y]) + Move(y, boundary[y - 1], boundary[y]);
            var left = new List<int>();
            var right = new List<int>();
            foreach (int i in blob.Pixels)
                (i % imageWidth - blob.MinX < boundary[i / imageWidth - blob.MinY] ? left : right).Add(i);
            if (left.Count == 0 || right.Count == 0)
                continue;
            var cut = new Cut(blob.Part([.. left]), blob.Part([.. right]), severed);
            if (accept(cut.Left, cut.Right))
                return cut;
        }
        return null;
    }

    /// <summary>
    /// Alternative cuts for a recogniser to judge: the cheapest acceptable cut in each of several windows across the
    /// middle of the blob (centred at 20 %, 30 %, ... 80 % of the width, each 20 % wide), without repeats, left to right.
    /// </summary>
    public static List<Cut> Alternatives(InkBlob blob, float centrePenalty, float turnPenalty, Func<InkBlob, InkBlob, bool> accept)
    {
        var cuts = new List<Cut>();
        for (int tenth = 2; tenth <= 8; tenth++)
        {
            var cut = Cheapest(blob, tenth / 10f - 0.1f, tenth / 10f + 0.1f, centrePenalty, turnPenalty, accept);
            if (cut is not null && !cuts.Any(c => c.Left.Area == cut.Left.Area && c.Left.Bounds == cut.Left.Bounds))
                cuts.Add(cut);
        }
        return cuts;
    }
}
