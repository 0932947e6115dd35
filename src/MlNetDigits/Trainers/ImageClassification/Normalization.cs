using System.Numerics.Tensors;

namespace MlNetDigits;

/// <summary>The CNN's input normalisation x' = (x / PixelScale − mean[c]) / std[c], written as x' = x · scale[c] + shift[c].</summary>
internal static class Normalization
{
    /// <summary>The per-channel (scale, shift) for <paramref name="channels"/> channels; mean and std have one value or one per channel.</summary>
    public static (float[] Scale, float[] Shift) ScaleAndShift(IReadOnlyList<float> mean, IReadOnlyList<float> standardDeviation, float pixelScale, int channels)
    {
        if (mean.Count != 1 && mean.Count != channels)
            throw new ArgumentException($"Mean has {mean.Count} values but the images have {channels} channels; give one value or one per channel.");
        if (standardDeviation.Count != mean.Count)
            throw new ArgumentException($"StandardDeviation has {standardDeviation.Count} values and Mean {mean.Count}; give the same number.");
        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float m = mean.Count == 1 ? mean[0] : mean[c];
            float s = standardDeviation.Count == 1 ? standardDeviation[0] : standardDeviation[c];
            if (!(s > 0) || !(pixelScale > 0))
                throw new ArgumentOutOfRangeException(nameof(standardDeviation), "Standard deviations and the pixel scale must be positive.");
            scale[c] = 1f / (pixelScale * s);
            shift[c] = -m / s;
        }
        return (scale, shift);
    }

    /// <summary>destination = source · scale[c] + shift[c] for each channel plane of (n, C, P) data.</summary>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int plane, float[] scale, float[] shift)
    {
        for (int offset = 0, c = 0; offset < source.Length; offset += plane, c = (c + 1) % channels)
        {
            var dst = destination.Slice(offset, plane);
            TensorPrimitives.Multiply(source.Slice(offset, plane), scale[c], dst);
            TensorPrimitives.Add(dst, shift[c], dst);
        }
    }
}
