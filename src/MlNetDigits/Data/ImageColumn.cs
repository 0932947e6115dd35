using Microsoft.ML;

namespace MlNetDigits;

/// <summary>What shape the images in a data view column have.</summary>
public static class ImageColumn
{
    /// <summary>
    /// The (channels, height, width) of the images in <paramref name="column"/>: its ImageShape annotation (what
    /// LoadFromIdx records), else its dimensions (H, W) or (C, H, W), else one square channel for a square number of
    /// values; null when the column cannot hold images (not a known-size Single vector, or no shape fits).
    /// </summary>
    public static (int Channels, int Height, int Width)? ShapeOf(DataViewSchema.Column column) => ImageExamples.ImageShapeOf(column);
}
