namespace MlNetDigits;

/// <summary>
/// One digit that <see cref="NumberSegmenter"/> found in a drawing: where it is in the input and its ink alone, ready for
/// <see cref="DigitPreprocessor.Preprocess(GrayImage, DigitPreprocessorOptions?)"/>.
/// </summary>
public sealed class DigitSegment
{
    internal DigitSegment(PixelRect bounds, GrayImage image, int pieceCount, bool wasSplit, float segmentationConfidence)
    {
        SegmentationConfidence = segmentationConfidence;
        Bounds = bounds;
        Image = image;
        PieceCount = pieceCount;
        WasSplit = wasSplit;
    }

    /// <summary>The bounding box of this digit's ink in the input image (pixels above the ink threshold).</summary>
    public PixelRect Bounds { get; }

    /// <summary>
    /// The input cropped to <see cref="Bounds"/> as white ink on black (0..255, background 0), holding only this digit's
    /// ink: ink of neighbouring digits inside the box is blacked out. // pixels: (Bounds.Height, Bounds.Width)
    /// </summary>
    public GrayImage Image { get; }

    /// <summary>How many separate pieces of ink (8-connected components) were merged into this digit: 1 for one stroke.</summary>
    public int PieceCount { get; }

    /// <summary>
    /// True when this digit was cut out of ink it shared with a neighbour (touching digits): the cut is a guess, so a
    /// caller may want to trust the answer less.
    /// </summary>
    public bool WasSplit { get; }

    /// <summary>
    /// How sure the segmenter is that this segment is exactly one digit, 0.5..1: the probability, by its cut model
    /// (<see cref="CutScoreWeights"/>), that the least sure keep-or-cut decision that shaped this segment was right; 1 when
    /// no cut was considered (ink too narrow to be two digits). A caller may call a reading unsure below, say, 0.8.
    /// </summary>
    public float SegmentationConfidence { get; }

    public override string ToString() =>
        $"({Bounds.X}, {Bounds.Y}) {Bounds.Width}x{Bounds.Height}{(PieceCount > 1 ? $", {PieceCount} pieces" : "")}{(WasSplit ? ", split" : "")}{(SegmentationConfidence < 1 ? $", segmentation {SegmentationConfidence:P0}" : "")}";
}
