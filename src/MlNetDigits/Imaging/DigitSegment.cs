namespace MlNetDigits.Imaging;

/// <summary>
/// One digit that <see cref="NumberSegmenter"/> found in a drawing: where it is in the input and its ink alone, ready for
/// <see cref="DigitPreprocessor.Preprocess(GrayImage, DigitPreprocessorOptions?)"/>.
/// </summary>
public sealed class DigitSegment
{
    internal DigitSegment(PixelRect bounds, GrayImage image, int pieceCount, bool wasSplit)
    {
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

    public override string ToString() =>
        $"({Bounds.X}, {Bounds.Y}) {Bounds.Width}x{Bounds.Height}{(PieceCount > 1 ? $", {PieceCount} pieces" : "")}{(WasSplit ? ", split" : "")}";
}
