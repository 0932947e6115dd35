using MlNetDigits;

/// <summary>
/// What the ink rules look at, measured the way the digit facade measures it: whether there is ink (a pixel above the
/// preprocessor's ink threshold), its extent (the ink box's longer side over the image's shorter side) and its amount
/// in the 28x28 image the model sees (Σ pixels / 255, in full-pixel units).
/// </summary>
internal readonly record struct InkMeasures(bool HasInk, double Extent, double Ink)
{
    private const float Threshold = DigitPreprocessorOptions.Defaults.InkThreshold;

    /// <summary>The measures of a preprocessed drawing: extent in the white-on-black input, ink in the final image.</summary>
    public static InkMeasures Of(PreprocessedDigit digit)
    {
        double extent = digit.InkBounds is { } box ? (double)Math.Max(box.Width, box.Height) / Math.Min(digit.Input.Width, digit.Input.Height) : 0;
        return new(digit.HasInk, extent, digit.Pixels.Sum(v => (double)v) / 255);
    }

    /// <summary>The measures of MNIST-format pixels given as they are (no preprocessing).</summary>
    public static InkMeasures Of28x28(ReadOnlySpan<float> pixels)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        double ink = 0;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                float v = pixels[y * 28 + x];
                ink += v;
                if (v <= Threshold)
                    continue;
                (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
            }
        bool hasInk = maxX >= 0;
        return new(hasInk, hasInk ? Math.Max(maxX - minX + 1, maxY - minY + 1) / 28.0 : 0, ink / 255);
    }

    /// <summary>The angle between the ink's principal axis (from its second moments) and the vertical, in degrees.</summary>
    public static double DegreesFromVertical(float[] pixels)
    {
        double m = 0, sx = 0, sy = 0;
        for (int i = 0; i < pixels.Length; i++)
            (m, sx, sy) = (m + pixels[i], sx + pixels[i] * (i % 28), sy + pixels[i] * (i / 28));
        double cx = sx / m, cy = sy / m, mxx = 0, myy = 0, mxy = 0;
        for (int i = 0; i < pixels.Length; i++)
        {
            double dx = i % 28 - cx, dy = i / 28 - cy;
            (mxx, myy, mxy) = (mxx + pixels[i] * dx * dx, myy + pixels[i] * dy * dy, mxy + pixels[i] * dx * dy);
        }
        double fromHorizontal = 0.5 * Math.Atan2(2 * mxy, mxx - myy) * 180 / Math.PI;
        return 90 - Math.Abs(fromHorizontal);
    }
}
