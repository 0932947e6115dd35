namespace MlNetDigits;

/// <summary>
/// A set of ink pixels of one white-on-black image: an 8-connected component, several merged, or one side of a cut.
/// Holds the pixels' indices (<c>y * width + x</c> in the whole image), their bounding box and ink mass.
/// </summary>
internal sealed class InkBlob
{
    private InkBlob(GrayImage image, int[] pixels, int pieceCount, bool wasSplit)
    {
        Image = image;
        Pixels = pixels;
        PieceCount = pieceCount;
        WasSplit = wasSplit;
        int w = image.Width;
        MinX = MinY = int.MaxValue;
        MaxX = MaxY = -1;
        double mass = 0, sx = 0;
        foreach (int i in pixels)
        {
            int x = i % w, y = i / w;
            MinX = Math.Min(MinX, x);
            MaxX = Math.Max(MaxX, x);
            MinY = Math.Min(MinY, y);
            MaxY = Math.Max(MaxY, y);
            float v = image.Pixels[i];
            mass += v;
            sx += (double)v * x;
        }
        Mass = (float)mass;
        CenterX = mass > 0 ? (float)(sx / mass) : (MinX + MaxX) / 2f;
    }

    /// <summary>The white-on-black image the pixels belong to.</summary>
    public GrayImage Image { get; }

    /// <summary>Indices of the blob's pixels in <see cref="Image"/>, ascending (raster order).</summary>
    public int[] Pixels { get; }

    /// <summary>How many connected components went into the blob.</summary>
    public int PieceCount { get; }

    /// <summary>Whether the blob is one side of a cut through touching ink.</summary>
    public bool WasSplit { get; }

    public int MinX { get; }

    public int MaxX { get; }

    public int MinY { get; }

    public int MaxY { get; }

    public int Width => MaxX - MinX + 1;

    public int Height => MaxY - MinY + 1;

    /// <summary>The number of pixels.</summary>
    public int Area => Pixels.Length;

    /// <summary>The sum of the pixels' intensities (0..255 each).</summary>
    public float Mass { get; }

    /// <summary>The intensity-weighted mean column: where the blob sits from left to right.</summary>
    public float CenterX { get; }

    public PixelRect Bounds => new(MinX, MinY, Width, Height);

    /// <summary>
    /// The 8-connected components of the pixels above <paramref name="threshold"/>, in raster order of their first pixel
    /// (so the result depends on nothing but the image).
    /// </summary>
    public static List<InkBlob> Components(GrayImage image, float threshold)
    {
        int w = image.Width, h = image.Height;
        var pixels = image.Pixels;
        var seen = new bool[pixels.Length];
        var queue = new int[pixels.Length]; // breadth-first frontier, reused for every component
        var blobs = new List<InkBlob>();
        for (int start = 0; start < pixels.Length; start++)
        {
            if (seen[start] || pixels[start] <= threshold)
                continue;
            int head = 0, tail = 0;
            queue[tail++] = start;
            seen[start] = true;
            while (head < tail)
            {
                int i = queue[head++], x = i % w, y = i / w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if ((uint)nx >= (uint)w || (uint)ny >= (uint)h)
                            continue;
                        int n = ny * w + nx;
                        if (seen[n] || pixels[n] <= threshold)
                            continue;
                        seen[n] = true;
                        queue[tail++] = n;
                    }
            }
            var members = queue.AsSpan(0, tail).ToArray();
            Array.Sort(members);
            blobs.Add(new InkBlob(image, members, 1, false));
        }
        return blobs;
    }

    /// <summary>The union of several blobs of one image (their pixels are disjoint).</summary>
    public static InkBlob Merge(IReadOnlyList<InkBlob> blobs)
    {
        if (blobs.Count == 1)
            return blobs[0];
        var pixels = blobs.SelectMany(b => b.Pixels).ToArray();
        Array.Sort(pixels);
        return new InkBlob(blobs[0].Image, pixels, blobs.Sum(b => b.PieceCount), blobs.Any(b => b.WasSplit));
    }

    /// <summary>A blob made of some of this blob's pixels: one side of a cut.</summary>
    public InkBlob Part(int[] pixels) => new(Image, pixels, PieceCount, wasSplit: true);

    /// <summary>The vertical distance between the two boxes; 0 when their rows overlap.</summary>
    public int VerticalGap(InkBlob other) => Math.Max(0, Math.Max(other.MinY - MaxY, MinY - other.MaxY) - 1);

    /// <summary>How many rows the two boxes share; 0 or less when they do not overlap (minus the gap).</summary>
    public int RowOverlap(InkBlob other) => Math.Min(MaxY, other.MaxY) - Math.Max(MinY, other.MinY) + 1;

    /// <summary>How many columns the two boxes share; 0 or less when they do not overlap (minus the gap).</summary>
    public int HorizontalOverlap(InkBlob other) => Math.Min(MaxX, other.MaxX) - Math.Max(MinX, other.MinX) + 1;
}
