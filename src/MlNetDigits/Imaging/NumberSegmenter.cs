namespace MlNetDigits;

/// <summary>
/// Finds the digits of a handwritten number (one line, any size, either polarity) and returns them left to right, each
/// with its box in the input and its own ink as white on black, ready for <see cref="DigitPreprocessor"/>.
/// </summary>
/// <remarks>
/// Steps, all deterministic:
/// (1) white ink on black with the background at 0, exactly as <see cref="DigitPreprocessor"/> does it (inversion decided
/// from the border median); ink is a pixel above <see cref="DigitPreprocessorOptions.InkThreshold"/>.
/// (2) 8-connected components of the ink. The reference height is the median height of the tall components (at least
/// half as tall as the tallest).
/// (3) Pieces of one digit are merged: a component at most <see cref="NumberSegmenterOptions.MergeHeight"/> of the
/// reference height joins a larger one that it sits above or below (sharing at most
/// <see cref="NumberSegmenterOptions.MergeRowOverlap"/> of the shorter's rows) with at most
/// <see cref="NumberSegmenterOptions.MergeGap"/> of the reference height between them either way; of several, the one whose
/// columns it overlaps most (the detached bar of a 5 or 7, half of a broken 8; not a short 1 beside a 4). Components small
/// enough for step 4 wait for it.
/// (4) Pieces left over that are shorter than <see cref="NumberSegmenterOptions.PieceHeight"/> of the reference height, or
/// hold less ink than <see cref="NumberSegmenterOptions.PieceInk"/> of a one-stroke 1 of that height (a speck, a broken-off
/// bit of stroke, the bar of a 5 off to the side) join the digit whose ink is nearest within
/// <see cref="NumberSegmenterOptions.AttachDistance"/> of the reference height, or are dropped as noise: a piece that
/// short is never a digit of its own.
/// (5) Touching digits are cut. A blob wider than <see cref="NumberSegmenterOptions.ConsiderAspect"/> times its height gets
/// candidate cuts: in each of seven windows across its middle (centred at 20 %, 30 % ... 80 % of its width) the cheapest
/// top-to-bottom seam by dynamic programming (a minimum-ink path that may bend around strokes, see <see cref="SeamCut"/>)
/// whose two sides are both digit-like (tall and inky enough, neither a piece by step 4's measure). Each candidate is
/// scored by the log-odds of a logistic model (<see cref="CutScoreWeights"/>) of the blob's size against its own height and
/// the reference height, the ink the seam severs in stroke widths (the median ink run across a stroke, measured in the
/// image) and the parts' proportions, plus, when a recogniser is given, how sure it is of each part and of the uncut blob;
/// the weights were fitted on numbers composed from MNIST training digits. The best candidate is taken when its log-odds are positive, and each part is examined again, so
/// a very wide blob is cut more than once (up to <see cref="NumberSegmenterOptions.MaximumDigitsPerBlob"/> digits).
/// (6) Digits are ordered by their ink's mean column; each crop keeps only that digit's ink, plus the faint anti-aliased
/// pixels next to it.
/// Digits stacked above one another (several lines) are not separated.
/// </remarks>
public static class NumberSegmenter
{
    /// <summary>The largest width or height accepted (the same limit as <see cref="ImageCodec"/>).</summary>
    public const int MaxDimension = ImageCodec.MaxDimension;

    /// <summary>
    /// The digits in <paramref name="image"/> (0..255, either polarity), left to right; empty when there is no ink.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The image is over <see cref="MaxDimension"/> px a side, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">A pixel is NaN or infinite.</exception>
    public static IReadOnlyList<DigitSegment> Segment(GrayImage image, NumberSegmenterOptions? options = null) =>
        Run(image, null, options);

    /// <summary>
    /// The digits in <paramref name="image"/> (0..255, either polarity), left to right, asking a recogniser where touching
    /// digits are: a blob of ink is cut where its parts read as digits more surely than the whole does.
    /// </summary>
    /// <param name="image">The drawing.</param>
    /// <param name="digitConfidence">
    /// How sure a classifier is of one candidate digit, 0..1 (its top probability), given the candidate's crop as a
    /// <see cref="DigitSegment.Image"/> would hold it; typically <c>crop =&gt; classifier.Classify(crop).Confidence</c>.
    /// It is asked about blobs of ink wide enough to be two digits and the parts of their candidate cuts (on 4-digit MNIST
    /// numbers, about 20 calls per number).
    /// </param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">The image is over <see cref="MaxDimension"/> px a side, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">A pixel is NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="digitConfidence"/> returned something other than a probability.</exception>
    public static IReadOnlyList<DigitSegment> Segment(GrayImage image, Func<GrayImage, float> digitConfidence, NumberSegmenterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(digitConfidence);
        return Run(image, digitConfidence, options);
    }

    private static IReadOnlyList<DigitSegment> Run(GrayImage image, Func<GrayImage, float>? digitConfidence, NumberSegmenterOptions? options)
    {
        options ??= new NumberSegmenterOptions();
        var blobs = Blobs(image, options, out float stroke, out float referenceHeight);

        // Step 5: cut touching digits.
        var context = new TouchingDigitSplitter.Context(options, stroke, referenceHeight, options.Preprocessing.InkThreshold, digitConfidence);
        var digits = new List<(InkBlob Digit, float Sure)>();
        foreach (var blob in blobs)
            TouchingDigitSplitter.Split(blob, context, options.MaximumDigitsPerBlob, null, 1f, digits);

        // Step 6: left to right, each with its own ink.
        return digits.OrderBy(d => d.Digit.CenterX).ThenBy(d => d.Digit.MinX).ThenBy(d => d.Digit.MinY)
            .Select(d => new DigitSegment(d.Digit.Bounds, Crop(d.Digit, context.Threshold), d.Digit.PieceCount, d.Digit.WasSplit, d.Sure))
            .ToList();
    }

    /// <summary>Steps 1 to 4: the blobs of ink that are digits or touching digits, the image's stroke width and reference height.</summary>
    internal static List<InkBlob> Blobs(GrayImage image, NumberSegmenterOptions options, out float stroke, out float referenceHeight)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(options);
        if (image.Width > MaxDimension || image.Height > MaxDimension)
            throw new ArgumentOutOfRangeException(nameof(image),
                $"NumberSegmenter takes images up to {MaxDimension} x {MaxDimension} px; found {image.Width} x {image.Height}. " +
                "Scale the drawing down first: a digit needs no more than a few dozen pixels.");

        // Step 1: white on black, background at 0.
        float threshold = options.Preprocessing.InkThreshold;
        var ink = DigitPreprocessor.ToWhiteOnBlack(image, options.Preprocessing, out _, out _);
        float strokeWidth = stroke = StrokeWidth(ink, threshold);

        // Step 2: components.
        var components = InkBlob.Components(ink, threshold);
        referenceHeight = 1;
        if (components.Count == 0)
            return [];
        int tallest = components.Max(c => c.Height);
        float typical = referenceHeight = Median(components.Where(c => 2 * c.Height >= tallest).Select(c => (float)c.Height));

        // Steps 3 and 4: pieces above or below a digit, then small pieces anywhere.
        // Small pieces skip step 3, so specks cannot chain into a tall column of noise above a digit.
        bool IsSmall(InkBlob b) => IsPiece(b, options, strokeWidth, typical);
        var blobs = MergePieces(components.Where(c => !IsSmall(c)).ToList(), typical, options);
        return AttachSmallPieces(blobs.Where(b => !IsSmall(b)).ToList(), [.. blobs.Where(IsSmall), .. components.Where(IsSmall)],
            options.AttachDistance * typical);
    }

    private static void CheckOptions(NumberSegmenterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Preprocessing, nameof(options.Preprocessing));
        DigitPreprocessor.CheckOptions(options.Preprocessing);
        static void Check(bool valid, string name, object value, string range)
        {
            if (!valid)
                throw new ArgumentOutOfRangeException(nameof(options), value,
                    $"NumberSegmenterOptions.{name} must be {range}; found {value}. NumberSegmenterOptions.Defaults holds the default.");
        }
        Check(options.PieceHeight is >= 0 and <= 1, nameof(options.PieceHeight), options.PieceHeight, "in 0..1");
        Check(options.PieceInk >= 0, nameof(options.PieceInk), options.PieceInk, "0 or more");
        Check(options.AttachDistance >= 0, nameof(options.AttachDistance), options.AttachDistance, "0 or more");
        Check(options.MergeHeight >= 0, nameof(options.MergeHeight), options.MergeHeight, "0 or more");
        Check(options.MergeGap >= 0, nameof(options.MergeGap), options.MergeGap, "0 or more");
        Check(options.MergeRowOverlap is >= 0 and <= 1, nameof(options.MergeRowOverlap), options.MergeRowOverlap, "in 0..1");
        Check(options.ConsiderAspect > 0, nameof(options.ConsiderAspect), options.ConsiderAspect, "positive");
        Check(options.GeometryWeights is not null, nameof(options.GeometryWeights), "null", "set");
        Check(options.RecognitionWeights is not null, nameof(options.RecognitionWeights), "null", "set");
        Check(options.MinimumPartHeight is >= 0 and <= 1, nameof(options.MinimumPartHeight), options.MinimumPartHeight, "in 0..1");
        Check(options.MinimumPartMass is >= 0 and <= 0.5f, nameof(options.MinimumPartMass), options.MinimumPartMass, "in 0..0.5");
        Check(options.MaximumDigitsPerBlob >= 1, nameof(options.MaximumDigitsPerBlob), options.MaximumDigitsPerBlob, "1 or more");
    }

    /// <summary>
    /// Step 3: joins each component too short to be a digit on its own to the component it overlaps most in columns (or is
    /// nearest to, sideways) among those it sits above or below, close by; one partner each, so a piece never bridges two
    /// digits. In a line of digits nothing else sits above or below a piece of ink.
    /// </summary>
    private static List<InkBlob> MergePieces(List<InkBlob> components, float referenceHeight, NumberSegmenterOptions options)
    {
        // Union-find over the components, in their raster order.
        var parent = Enumerable.Range(0, components.Count).ToArray();
        int Root(int i)
        {
            while (parent[i] != i)
                i = parent[i] = parent[parent[i]];
            return i;
        }
        float reach = options.MergeGap * referenceHeight;
        for (int i = 0; i < components.Count; i++)
        {
            var piece = components[i];
            if (piece.Height > options.MergeHeight * referenceHeight)
                continue;
            int partner = -1;
            float partnerOverlap = 0;
            for (int j = 0; j < components.Count; j++)
            {
                var other = components[j];
                // Columns shared as a fraction of the narrower width; negative for a gap between them.
                float overlap = (float)piece.HorizontalOverlap(other) / Math.Min(piece.Width, other.Width);
                bool stacked = piece.RowOverlap(other) <= options.MergeRowOverlap * Math.Min(piece.Height, other.Height);
                bool near = piece.VerticalGap(other) <= reach && -piece.HorizontalOverlap(other) <= reach;
                // Only into something larger, so pieces do not chain through a speck into the digit beside them.
                bool larger = other.Area > piece.Area || (other.Area == piece.Area && j < i);
                if (j == i || !stacked || !near || !larger)
                    continue;
                // The most overlap wins; on a tie the larger component (a body rather than another piece).
                if (partner < 0 || overlap > partnerOverlap || (overlap == partnerOverlap && other.Area > components[partner].Area))
                    (partner, partnerOverlap) = (j, overlap);
            }
            if (partner >= 0)
                parent[Root(i)] = Root(partner);
        }
        return components.Select((c, i) => (c, root: Root(i)))
            .GroupBy(x => x.root)
            .Select(g => InkBlob.Merge(g.Select(x => x.c).ToList()))
            .ToList();
    }

    /// <summary>
    /// Whether <paramref name="blob"/> is too small to be a digit of its own: shorter than
    /// <see cref="NumberSegmenterOptions.PieceHeight"/> of the reference height, or with less ink than
    /// <see cref="NumberSegmenterOptions.PieceInk"/> of a one-stroke 1 that tall (a dotted line, a faint second stroke).
    /// </summary>
    internal static bool IsPiece(InkBlob blob, NumberSegmenterOptions options, float stroke, float referenceHeight) =>
        blob.Height < options.PieceHeight * referenceHeight || blob.Mass / 255f < options.PieceInk * stroke * referenceHeight;

    /// <summary>
    /// Step 4: each small piece joins the digit whose ink is nearest to its own when that is within <paramref name="reach"/>
    /// pixels (the larger digit on a tie); farther pieces are noise.
    /// </summary>
    private static List<InkBlob> AttachSmallPieces(List<InkBlob> digits, IEnumerable<InkBlob> pieces, float reach)
    {
        var members = digits.Select(d => new List<InkBlob> { d }).ToList();
        foreach (var piece in pieces)
        {
            int home = -1;
            float nearest = float.PositiveInfinity;
            for (int d = 0; d < digits.Count; d++)
            {
                var digit = digits[d];
                // The boxes first: the gap between ink is never smaller than the gap between boxes.
                float dx = Math.Max(0, Math.Max(digit.MinX - piece.MaxX, piece.MinX - digit.MaxX) - 1);
                float dy = digit.VerticalGap(piece);
                if (MathF.Sqrt(dx * dx + dy * dy) > reach)
                    continue;
                float distance = InkGap(piece, digit);
                if (distance <= reach && (distance < nearest || (distance == nearest && digit.Area > digits[home].Area)))
                    (home, nearest) = (d, distance);
            }
            if (home >= 0)
                members[home].Add(piece);
        }
        return members.Select(InkBlob.Merge).ToList();
    }

    /// <summary>The empty pixels between the nearest ink pixels of two blobs (Euclidean distance less one).</summary>
    private static float InkGap(InkBlob a, InkBlob b)
    {
        int w = a.Image.Width;
        float best = float.PositiveInfinity;
        foreach (int i in a.Pixels)
        {
            int ax = i % w, ay = i / w;
            foreach (int j in b.Pixels)
            {
                int dx = ax - j % w, dy = ay - j / w;
                best = MathF.Min(best, dx * dx + dy * dy);
            }
        }
        return MathF.Sqrt(best) - 1;
    }

    /// <summary>
    /// The typical stroke width in ink units (pixels of full intensity): the median, over ink pixels, of the ink in the
    /// shorter of the horizontal and vertical runs through the pixel.
    /// </summary>
    internal static float StrokeWidth(GrayImage ink, float threshold)
    {
        int w = ink.Width, h = ink.Height;
        var p = ink.Pixels;
        var across = new float[p.Length]; // ink of the horizontal run through each pixel
        var down = new float[p.Length];   // ink of the vertical run through each pixel
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w;)
            {
                if (p[y * w + x] <= threshold) { x++; continue; }
                int end = x;
                float sum = 0;
                for (; end < w && p[y * w + end] > threshold; end++)
                    sum += p[y * w + end] / 255f;
                for (int i = x; i < end; i++)
                    across[y * w + i] = sum;
                x = end;
            }
        for (int x = 0; x < w; x++)
            for (int y = 0; y < h;)
            {
                if (p[y * w + x] <= threshold) { y++; continue; }
                int end = y;
                float sum = 0;
                for (; end < h && p[end * w + x] > threshold; end++)
                    sum += p[end * w + x] / 255f;
                for (int i = y; i < end; i++)
                    down[i * w + x] = sum;
                y = end;
            }
        var widths = new List<float>();
        for (int i = 0; i < p.Length; i++)
            if (p[i] > threshold)
                widths.Add(Math.Min(across[i], down[i]));
        return widths.Count == 0 ? 1f : Median(widths);
    }

    /// <summary>Step 6: the blob's box with only its own ink, plus faint pixels (at or below the threshold) touching it.</summary>
    internal static GrayImage Crop(InkBlob blob, float threshold)
    {
        int w = blob.Width, h = blob.Height, imageWidth = blob.Image.Width;
        var source = blob.Image.Pixels;
        var crop = new float[w * h];
        var mine = new bool[w * h];
        foreach (int i in blob.Pixels)
        {
            int local = (i / imageWidth - blob.MinY) * w + i % imageWidth - blob.MinX;
            crop[local] = source[i];
            mine[local] = true;
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float v = source[(blob.MinY + y) * imageWidth + blob.MinX + x];
                if (v <= 0 || v > threshold)
                    continue;
                bool touches = false;
                for (int dy = -1; dy <= 1 && !touches; dy++)
                    for (int dx = -1; dx <= 1 && !touches; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        touches = (uint)nx < (uint)w && (uint)ny < (uint)h && mine[ny * w + nx];
                    }
                if (touches)
                    crop[y * w + x] = v;
            }
        return new GrayImage(w, h, crop);
    }

    private static float Median(IEnumerable<float> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2f;
    }
}
